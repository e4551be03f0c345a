import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaTestSupport
import MydiaTransport
import MydiaWire
import Testing

/// A real relay and a real mydia-server whose library holds one file larger than the tunnel's
/// 256 KiB stream credit, plus a device paired once through `RelayConnection` + `TunnelSession`.
/// Shared by the suites of this target so the stack starts once.
final class TransportFixture: Sendable {
    let relay: RelayServer
    let origin: RelayOrigin
    let host: ServerHost
    let clientKey: X25519KeyPair
    let pairing: HandshakeGrant
    let pairingCheck: String?
    let deviceToken: String
    let libraryPath: String
    private let tasks: [Task<Void, any Error>]

    /// The file of the library that is larger than the stream credit.
    static let largeFileName = "Large Test Pattern (2020).mp4"

    private static let shared = Task { try await TransportFixture.start() }

    /// The fixture, started on first use.
    static func get() async throws -> TransportFixture { try await shared.value }

    var instanceID: String { host.identity.instanceID }
    var instanceKey: [UInt8] { host.identity.staticKey.publicKey }

    private init(relay: RelayServer, origin: RelayOrigin, host: ServerHost, clientKey: X25519KeyPair, pairing: HandshakeGrant,
                 pairingCheck: String?, deviceToken: String, libraryPath: String, tasks: [Task<Void, any Error>]) {
        self.relay = relay
        self.origin = origin
        self.host = host
        self.clientKey = clientKey
        self.pairing = pairing
        self.pairingCheck = pairingCheck
        self.deviceToken = deviceToken
        self.libraryPath = libraryPath
        self.tasks = tasks
    }

    private static func start() async throws -> TransportFixture {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let relayTask = Task { try await relay.run() }
        let origin = try RelayOrigin(try await withTimeout(.seconds(10)) { try await relay.origin() })
        let library = try largeLibrary()
        var config = ServerConfiguration(relay: origin, libraryPath: library,
                                         stateDirectory: NSTemporaryDirectory() + "mydia-transport-\(UUID().uuidString)", logger: quiet)
        config.directHost = "127.0.0.1"
        config.instanceName = "Transport Test"
        let host = try await ServerHost(configuration: config)
        let hostTask = Task { try await host.run() }
        try await withTimeout(.seconds(15)) { await host.link.waitUntilRegistered() }

        // Pair exactly as the client will: code → sealed claim → relay → handshake `pair`.
        let claim = try await host.issueClaim()
        let keys = SealedClaim.Keys(code: try ClaimCode(claim.code.value))
        let (data, _) = try await URLSession.shared.data(from: URL(string: origin.claimURL(lookupHex: keys.lookupHex))!)
        let sealed = try JSONDecoder().decode(ClaimLookupResponse.self, from: data).sealed
        let payload = try ClaimPayload(decoding: try SealedClaim.open(sealed, keys: keys))
        let clientKey = X25519KeyPair.generate()
        let connection = try await RelayConnection.connect(origin: origin, instanceID: payload.instanceID, pinnedInstanceKey: payload.publicKey)
        let checkSeen = Box<String?>(nil)
        let session = try await TunnelSession.establish(
            relay: connection, clientKey: clientKey,
            request: .pair(claimCode: claim.code.value, deviceName: "transport tests", platform: "linux", clientVersion: "0.1.0",
                           timestamp: Int64(Date().timeIntervalSince1970)),
            onPairingCheck: { check in checkSeen.withLock { $0 = check } })
        let grant = session.grant
        await session.close()
        return TransportFixture(
            relay: relay, origin: origin, host: host, clientKey: clientKey, pairing: grant,
            pairingCheck: checkSeen.withLock { $0 }, deviceToken: grant.deviceToken ?? "", libraryPath: library,
            tasks: [relayTask, hostTask])
    }

    /// A fresh relay session + tunnel for the paired device (`reconnect`).
    func session(configuration: TunnelSession.Configuration = .init()) async throws -> TunnelSession {
        let connection = try await RelayConnection.connect(origin: origin, instanceID: instanceID, pinnedInstanceKey: instanceKey)
        return try await TunnelSession.establish(
            relay: connection, clientKey: clientKey,
            request: .reconnect(deviceID: pairing.deviceID, deviceToken: deviceToken, timestamp: Int64(Date().timeIntervalSince1970)),
            configuration: configuration)
    }

    /// The bearer headers of the paired device.
    var bearer: [String: String] { ["authorization": "Bearer \(pairing.accessToken)"] }

    /// The sample library plus one file larger than 256 KiB, made once per machine.
    static func largeLibrary() throws -> String {
        let sample = try ServerStack.sampleLibrary()
        let dir = NSTemporaryDirectory() + "mydia-transport-tests-library"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/Movies", withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: sample + "/Movies") where !fm.fileExists(atPath: dir + "/Movies/" + name) {
            try fm.copyItem(atPath: sample + "/Movies/" + name, toPath: dir + "/Movies/" + name)
        }
        let large = dir + "/Movies/" + largeFileName
        if !fm.fileExists(atPath: large) {
            // Lossless H.264 of a noisy pattern: a few MB in about a second.
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=3",
                           "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
                           "-f", "mp4", large + ".partial"]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw TestSocket.Failure.unexpected("ffmpeg could not make the large test file") }
            try fm.moveItem(atPath: large + ".partial", toPath: large)
        }
        return dir
    }

    /// The id and bytes of the large file, found through GraphQL over `session`.
    func largeFile(using session: TunnelSession) async throws -> (id: String, bytes: [UInt8]) {
        let json = try await graphQL(session, "{ movies(first: 20) { edges { node { title files { id size } } } } }")
        let edges = (((json["data"] as? [String: Any])?["movies"] as? [String: Any])?["edges"] as? [[String: Any]]) ?? []
        let node = try #require(edges.compactMap { $0["node"] as? [String: Any] }.first { ($0["title"] as? String) == "Large Test Pattern" })
        let id = try #require(((node["files"] as? [[String: Any]])?.first?["id"]) as? String)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: libraryPath + "/Movies/" + Self.largeFileName)))
        return (id, bytes)
    }

    /// A GraphQL POST through the tunnel, decoded.
    func graphQL(_ session: TunnelSession, _ query: String) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: ["query": query])
        var headers = bearer
        headers["content-type"] = "application/json"
        let response = try await session.request(method: "POST", path: "/api/graphql", headers: headers, body: Array(body))
        let bytes = try await response.body.collect()
        #expect(response.status == 200, "\(String(decoding: bytes, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
