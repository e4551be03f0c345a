public import Foundation

/// The URL-login servers' file, `logins.json`.
struct LoginsFileContents: Codable {
    var version: Int
    var logins: [LoginServer]
}

// URL-login servers (PROTOCOL.md §14.2) beside the paired ones, and the selection, listing and
// removal that cover both kinds.
extension CredentialStore {
    /// Every URL-login server, in login order.
    public var loginServers: [LoginServer] { logins }

    /// The URL-login server with this local id.
    public func login(id: String) -> LoginServer? {
        logins.first { $0.id == id.lowercased() }
    }

    /// Stores a completed login (call only after the server accepted it: nothing half-done is
    /// stored). A login to the same base URL as the same user replaces the old entry and keeps its
    /// id, so `--server ID` stays valid; it becomes the default (newest) server.
    /// - Returns: the entry as stored.
    @discardableResult
    public func saveLogin(_ server: LoginServer) throws(Error) -> LoginServer {
        var entry = server
        let previous = logins
        if let old = logins.first(where: { $0.baseURL == server.baseURL && $0.username.lowercased() == server.username.lowercased() }) {
            entry.id = old.id
        }
        logins.removeAll { $0.id == entry.id }
        logins.append(entry)
        do { try persistLogins() } catch {
            logins = previous
            throw error
        }
        return entry
    }

    /// Records the schema generation a login server turned out to speak (§14.2.8).
    @discardableResult
    public func updateLogin(id: String, generation: ServerGeneration) throws(Error) -> LoginServer {
        try updateLogin(id) { $0.generation = generation }
    }

    /// Records that a login server was just used.
    @discardableResult
    public func touchLogin(id: String, now: Date = Date()) throws(Error) -> LoginServer {
        try updateLogin(id) { $0.lastUsedAt = now }
    }

    /// Forgets a login server (`logout`). - Returns: whether it was there.
    @discardableResult
    public func removeLogin(id: String) throws(Error) -> Bool {
        let previous = logins
        logins.removeAll { $0.id == id.lowercased() }
        guard logins.count != previous.count else { return false }
        do { try persistLogins() } catch {
            logins = previous
            throw error
        }
        return true
    }

    /// Every server of both kinds, oldest first (by pairing or login time).
    public var allServers: [StoredServer] {
        let paired = all.map(StoredServer.paired)
        let logged = logins.map(StoredServer.login)
        return (paired + logged).enumerated()
            .sorted { ($0.element.addedAt, $0.offset) < ($1.element.addedAt, $1.offset) }
            .map(\.element)
    }

    /// Picks a server of either kind (`--server NAME|ID`): `nil` = the newest paired or logged in
    /// to; otherwise an instance id or login id, a name (case-insensitive), or a unique
    /// case-insensitive prefix of a name.
    public func selectServer(_ query: String? = nil) throws(Error) -> StoredServer {
        let everything = allServers
        guard let newest = everything.last else { throw .noServers }
        guard let raw = query?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return newest }
        let needle = raw.lowercased()
        if let byID = everything.first(where: { $0.id == needle }) { return byID }
        let exact = everything.filter { $0.name.lowercased() == needle }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 { throw .ambiguous(raw, exact.map { "\($0.name) (\($0.id))" }) }
        let prefixed = everything.filter { $0.name.lowercased().hasPrefix(needle) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 { throw .ambiguous(raw, prefixed.map(\.name)) }
        throw .notFound(raw)
    }

    /// Forgets the server `selectServer(query)` picks, of either kind (`unpair`, `logout`).
    /// - Returns: what was forgotten.
    @discardableResult
    public func removeServer(_ query: String?) throws(Error) -> StoredServer {
        let server = try selectServer(query)
        switch server {
        case .paired(let c): try remove(instanceID: c.instanceID)
        case .login(let l): try removeLogin(id: l.id)
        }
        return server
    }

    private func updateLogin(_ id: String, _ change: (inout LoginServer) -> Void) throws(Error) -> LoginServer {
        guard let index = logins.firstIndex(where: { $0.id == id.lowercased() }) else { throw .notFound(id) }
        let previous = logins[index]
        var copy = previous
        change(&copy)
        logins[index] = copy
        do { try persistLogins() } catch {
            logins[index] = previous
            throw error
        }
        return copy
    }

    private func persistLogins() throws(Error) {
        try write(LoginsFileContents(version: 1, logins: logins), to: loginsFileURL)
    }
}
