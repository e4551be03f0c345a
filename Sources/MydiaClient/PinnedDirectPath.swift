import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import MydiaCrypto
import MydiaTransport
import Synchronization

/// The ConnectionManager's direct path on the real pinned HTTPS client (PROTOCOL.md §6). One
/// client per (URL, pin), so keep-alive connections are reused and a new pin starts afresh.
final class PinnedDirectPath: DirectPath {
    private let store: CredentialStore
    private let instanceID: String
    private let clients = Mutex<[String: DirectClient]>([:])

    init(store: CredentialStore, instanceID: String) {
        self.store = store
        self.instanceID = instanceID
    }

    func probe(_ url: URL, fingerprint: String?) async -> ProbeResult {
        // A paired server's direct path is pinned or absent (§6); the manager never probes unpinned.
        guard let fingerprint else { return .tlsError("no pinned certificate") }
        guard let bearer = await store.credentials(instanceID: instanceID)?.accessToken else { return .rejected(status: 401) }
        let client: DirectClient
        do { client = try self.client(url, fingerprint) } catch { return .transportError(error.description) }
        do {
            return .ok(rtt: try await client.probe(bearer: bearer, expectedInstanceID: instanceID).rtt)
        } catch {
            switch error {
            case .pinMismatch(let presented): return .pinMismatch(presented: presented)
            case .timedOut: return .timedOut
            case .probeRejected(let status): return .rejected(status: status)
            case .wrongInstance: return .instanceMismatch(error.description)
            case .tls(let why): return .tlsError(why)
            default: return .transportError(error.description)
            }
        }
    }

    func send(_ request: PathRequest, to url: URL, fingerprint: String?) async throws -> PathResponse {
        guard let fingerprint else { throw DirectClient.Error.noPin }
        let client = try self.client(url, fingerprint)
        var headers = request.headers
        // The direct client sends the bearer itself, after the pin matched (§6).
        let bearer = headers.removeValue(forKey: "authorization").flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        let response = try await client.request(method: request.method, path: request.path, headers: headers, body: request.body, bearer: bearer)
        return PathResponse(status: response.status, headers: response.headers, body: response.body.interruptible())
    }

    private func client(_ url: URL, _ fingerprint: String) throws(DirectClient.Error) -> DirectClient {
        let key = url.absoluteString + "#" + fingerprint
        if let existing = clients.withLock({ $0[key] }) { return existing }
        let made = try DirectClient(baseURL: url.absoluteString, pin: CertificateFingerprint(hex: fingerprint))
        clients.withLock { $0[key] = made }
        return made
    }
}
