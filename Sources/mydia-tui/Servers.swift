import ArgumentParser
import Foundation
import MydiaAPI
import MydiaWire

/// `mydia-tui servers`: every server this device can open, paired or logged in to.
struct Servers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the servers this device is paired with or logged in to.")

    @Flag(help: "Print a JSON array.") var json = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            let store = try global.store(global.logger())
            let servers = await store.allServers
            let newest = servers.last?.id
            if json {
                printJSON(servers.map { Self.object($0, isDefault: $0.id == newest) })
                return
            }
            if servers.isEmpty {
                print("No server yet — pair with `mydia-tui pair CODE --relay URL` or log in with `mydia-tui login URL`.")
                return
            }
            for server in servers {
                let mark = server.id == newest ? "*" : " "
                switch server {
                case .paired(let c):
                    print("\(mark) \(c.instanceName)  [paired via \(c.relayURL)]  \(c.instanceID)")
                case .login(let l):
                    print("\(mark) \(l.name)  [login \(l.username) at \(l.baseURL), \(Self.tls(l.security))]  \(l.id)")
                }
            }
        }
    }

    static func tls(_ security: LoginServer.Security) -> String {
        switch security {
        case .verified(let pem): pem == nil ? "TLS verified" : "TLS verified with own CA"
        case .pinned: "TLS pinned"
        case .plainHTTP: "plain http"
        }
    }

    /// Stable keys for scripts; never a token.
    static func object(_ server: StoredServer, isDefault: Bool) -> [String: Any] {
        var d: [String: Any] = [
            "id": server.id, "name": server.name, "kind": server.kind.rawValue, "address": server.address,
            "default": isDefault, "added_at": WireTime.format(server.addedAt), "last_used_at": WireTime.format(server.lastUsedAt),
        ]
        if case .login(let l) = server {
            d["user"] = l.username
            d["tls"] = Self.mode(l.security)
            d["generation"] = l.generation.rawValue
            d["access_expires_at"] = l.accessExpiresAt.map { WireTime.format($0) as Any } ?? NSNull()
        }
        return d
    }

    private static func mode(_ security: LoginServer.Security) -> String {
        switch security {
        case .verified: "verified"
        case .pinned: "pinned"
        case .plainHTTP: "plain_http"
        }
    }
}
