public import Foundation
import MydiaSystem
public import Logging
public import MydiaWire

/// The servers this device can open, on disk in the config directory (0700): paired instances
/// in `servers.json`, URL-login servers in its sibling `logins.json` (PROTOCOL.md §14.2), and the
/// per-install device id in `device-id`. Each file is replaced atomically and never readable by
/// other users (PROTOCOL.md §1 client storage). The in-memory copy is the source of truth for
/// this process; every change is written at once.
///
/// `logins.json` is `{"version":1,"logins":[…]}`, see `LoginServer`'s coding (never a password).
///
/// File format: `{"version":1,"servers":[…]}`, each server with snake_case keys (`instance_id`,
/// `instance_name`, `instance_public_key` b64, `cert_fingerprint` hex, `direct_urls`, `relay_url`,
/// `discovery_key`, `device_private_key` b64, `device_id`, `device_token`, `access_token`,
/// `access_expires_at`, `media_token`, `media_expires_at`, `paired_at`, `last_used_at` RFC 3339),
/// in pairing order. A file or directory that other users can reach is restricted (0600 / 0700)
/// with a logged warning before it is used; a symlinked file is refused.
public actor CredentialStore {
    /// Why credentials could not be found, read or written; `description` is one plain sentence.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Nothing is paired or logged in to yet.
        case noServers
        /// No paired server matches the name or id.
        case notFound(String)
        /// Several paired servers match; carries their names.
        case ambiguous(String, [String])
        /// A pairing grant without a device token cannot be stored.
        case missingDeviceToken
        /// The credentials file is not valid JSON of the expected shape.
        case corrupt(path: String)
        /// A file-system operation failed; carries the sentence.
        case storage(String)

        public var description: String {
            switch self {
            case .noServers: "No server is set up yet — pair one with a claim code or log in with `mydia-tui login URL` first."
            case .notFound(let query): "No server is called \"\(DisplayText.name(query))\" — check the name with `mydia-tui servers`."
            case .ambiguous(let query, let names):
                "\"\(DisplayText.name(query))\" matches several servers (\(names.joined(separator: ", "))) — type more of the name, or its id."
            case .missingDeviceToken: "The server did not send a device token, so the pairing cannot be saved — pair again."
            case .corrupt(let path): "The credentials file \(path) is damaged — move it away and pair again."
            case .storage(let sentence): sentence
            }
        }
    }

    private struct FileContents: Codable {
        var version: Int
        var servers: [ServerCredentials]
    }

    /// The directory holding `servers.json`.
    public nonisolated let directory: URL
    /// The credentials file.
    public nonisolated var fileURL: URL { directory.appendingPathComponent("servers.json") }
    /// The URL-login servers' file, beside `servers.json`.
    public nonisolated var loginsFileURL: URL { directory.appendingPathComponent("logins.json") }
    let logger: Logger
    private var servers: [ServerCredentials]
    /// URL-login servers, in login order.
    var logins: [LoginServer]

    /// Opens (and creates, mode 0700) the directory and loads `servers.json` if it exists.
    /// - Parameters:
    ///   - directory: usually `ConfigDirectory.resolve()`.
    ///   - logger: receives permission warnings; never secrets.
    public init(directory: URL = ConfigDirectory.resolve(), logger: Logger = Logger(label: "mydia.credentials")) throws(Error) {
        self.directory = directory
        self.logger = logger
        let path = directory.appendingPathComponent("servers.json").path
        let loginsPath = directory.appendingPathComponent("logins.json").path
        do {
            try PrivateFile.ensureDirectory(directory.path, logger: logger)
            if let bytes = try PrivateFile.read(path, logger: logger) {
                guard let contents = try? JSONDecoder().decode(FileContents.self, from: Data(bytes)) else {
                    throw Error.corrupt(path: path)
                }
                servers = contents.servers
            } else {
                servers = []
            }
            if let bytes = try PrivateFile.read(loginsPath, logger: logger) {
                guard let contents = try? JSONDecoder().decode(LoginsFileContents.self, from: Data(bytes)) else {
                    throw Error.corrupt(path: loginsPath)
                }
                logins = contents.logins
            } else {
                logins = []
            }
        } catch let failure as PrivateFile.Failure {
            throw .storage(failure.description)
        } catch let error as Error {
            throw error
        } catch {
            throw .storage("Could not read \(path).")
        }
    }

    /// Every paired server, in pairing order.
    public var all: [ServerCredentials] { servers }

    /// Picks a paired server: `nil` = the last paired; otherwise an instance id, a name
    /// (case-insensitive) or a unique case-insensitive prefix of a name. `selectServer(_:)` picks
    /// among both kinds (`--server NAME|ID`).
    public func select(_ query: String? = nil) throws(Error) -> ServerCredentials {
        guard !servers.isEmpty else { throw .noServers }
        guard let raw = query?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            // Ties (same second) go to the later entry: `save` appends new pairings.
            return servers.enumerated().max { ($0.element.pairedAt, $0.offset) < ($1.element.pairedAt, $1.offset) }!.element
        }
        let needle = raw.lowercased()
        if let byID = servers.first(where: { $0.instanceID == needle }) { return byID }
        let exact = servers.filter { $0.instanceName.lowercased() == needle }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 { throw .ambiguous(raw, exact.map { "\($0.instanceName) (\($0.instanceID))" }) }
        let prefixed = servers.filter { $0.instanceName.lowercased().hasPrefix(needle) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 { throw .ambiguous(raw, prefixed.map(\.instanceName)) }
        throw .notFound(raw)
    }

    /// The server with this instance id, if paired.
    public func credentials(instanceID: String) -> ServerCredentials? {
        servers.first { $0.instanceID == instanceID.lowercased() }
    }

    /// Stores a fresh pairing. Pairing the same instance again replaces the old entry, and the
    /// new entry becomes the default (last paired).
    public func save(_ credentials: ServerCredentials) throws(Error) {
        let previous = servers
        servers.removeAll { $0.instanceID == credentials.instanceID }
        servers.append(credentials)
        do { try persist() } catch {
            servers = previous
            throw error
        }
    }

    /// After a successful reconnect handshake: the pinned key authenticated message 2, so its
    /// `direct_urls`, `cert_fingerprint`, name and discovery key replace the stored ones, and its
    /// fresh tokens are kept (PROTOCOL.md §11.11).
    @discardableResult
    public func updateAfterReconnect(instanceID: String, grant: HandshakeGrant, now: Date = Date()) throws(Error) -> ServerCredentials {
        try update(instanceID) { c in
            c.instanceName = DisplayText.name(grant.instanceName)
            c.directURLs = grant.directURLs
            c.certFingerprint = grant.certFingerprint.lowercased()
            if let key = grant.discoveryKey { c.discoveryKey = key }
            if let token = grant.deviceToken, !token.isEmpty { c.deviceToken = token }
            c.accessToken = grant.accessToken
            c.accessExpiresAt = grant.accessExpiresAt
            c.mediaToken = grant.mediaToken
            c.mediaExpiresAt = grant.mediaExpiresAt
            c.lastUsedAt = now
        }
    }

    /// Saves a refreshed access token.
    @discardableResult
    public func updateAccessToken(instanceID: String, token: String, expiresAt: Date) throws(Error) -> ServerCredentials {
        try update(instanceID) { c in
            c.accessToken = token
            c.accessExpiresAt = expiresAt
        }
    }

    /// Saves a refreshed media token.
    @discardableResult
    public func updateMediaToken(instanceID: String, token: String, expiresAt: Date) throws(Error) -> ServerCredentials {
        try update(instanceID) { c in
            c.mediaToken = token
            c.mediaExpiresAt = expiresAt
        }
    }

    /// Forgets a server (`unpair`). - Returns: whether it was paired.
    @discardableResult
    public func remove(instanceID: String) throws(Error) -> Bool {
        let previous = servers
        servers.removeAll { $0.instanceID == instanceID.lowercased() }
        guard servers.count != previous.count else { return false }
        do { try persist() } catch {
            servers = previous
            throw error
        }
        return true
    }

    private func update(_ instanceID: String, _ change: (inout ServerCredentials) -> Void) throws(Error) -> ServerCredentials {
        guard let index = servers.firstIndex(where: { $0.instanceID == instanceID.lowercased() }) else {
            throw .notFound(instanceID)
        }
        var copy = servers[index]
        change(&copy)
        let previous = servers[index]
        servers[index] = copy
        do { try persist() } catch {
            servers[index] = previous
            throw error
        }
        return copy
    }

    private func persist() throws(Error) {
        try write(FileContents(version: 1, servers: servers), to: fileURL)
    }

    /// Writes one of the store's files atomically, 0600.
    func write(_ contents: some Encodable, to file: URL) throws(Error) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(contents) } catch {
            throw .storage("Could not encode the credentials.")
        }
        do {
            try PrivateFile.ensureDirectory(directory.path, logger: logger)
            try PrivateFile.writeAtomically(Array(data), to: file.path)
        } catch {
            throw .storage(error.description)
        }
    }
}
