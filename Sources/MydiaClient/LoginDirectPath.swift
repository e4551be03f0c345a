import Foundation
import MydiaAPI
import MydiaConnection
import MydiaTransport
import MydiaWire

/// The ConnectionManager's only path to a URL-login server (PROTOCOL.md §14.2): one base URL, the
/// login's TLS mode, and the login's access token as `Authorization: Bearer` on every request,
/// GraphQL and media alike — never in a URL (§14.2.3).
///
/// The probe is `POST {base}/api/graphql` with `query Probe { __typename }` and the bearer, which
/// any GraphQL schema answers: 200 with `data` = up, 401 = the token is no longer accepted, 404
/// `PLAYER_DISABLED` = the player is switched off.
final class LoginDirectPath: DirectPath {
    private let client: DirectClient
    private let store: CredentialStore
    private let loginID: String

    static let probeBody = Array(#"{"query":"query Probe { __typename }"}"#.utf8)

    init(client: DirectClient, store: CredentialStore, loginID: String) {
        self.client = client
        self.store = store
        self.loginID = loginID
    }

    func probe(_ url: URL, fingerprint: String?) async -> ProbeResult {
        guard let token = await store.login(id: loginID)?.accessToken else {
            return .refused(ProbeRefusal(.credentialsRejected, message: APIClient.Error.loginExpired.description))
        }
        do {
            let exchange = try await client.probe(
                method: "POST", path: "/api/graphql", headers: ["content-type": "application/json", "accept": "application/json"],
                body: Self.probeBody, bearer: token)
            return Self.judge(status: exchange.status, body: exchange.body, rtt: exchange.rtt)
        } catch {
            return Self.probeResult(error)
        }
    }

    func send(_ request: PathRequest, to url: URL, fingerprint: String?) async throws -> PathResponse {
        guard let token = await store.login(id: loginID)?.accessToken else { throw APIClient.Error.loginExpired }
        var headers = request.headers
        // The stored login's token, whatever the caller put there.
        headers.removeValue(forKey: "authorization")
        let response = try await client.request(method: request.method, path: request.path, headers: headers, body: request.body, bearer: token)
        return PathResponse(status: response.status, headers: response.headers, body: response.body.interruptible())
    }

    /// What a probe's answer means.
    static func judge(status: Int, body: [UInt8], rtt: Duration) -> ProbeResult {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        switch status {
        case 200 where object?["data"] != nil:
            return .ok(rtt: rtt)
        case 200:
            return .transportError("the address answers, but not with the Mydia API — check the URL")
        case 401:
            return .refused(ProbeRefusal(.credentialsRejected, message: APIClient.Error.loginExpired.description))
        default:
            let errors = object?["errors"] as? [[String: Any]] ?? []
            if let disabled = errors.first(where: { ($0["extensions"] as? [String: Any])?["code"] as? String == "PLAYER_DISABLED" }) {
                let message = APIClient.Error.playerDisabled(DisplayText.sanitized(disabled["message"] as? String ?? "")).description
                return .refused(ProbeRefusal(.serviceDisabled, message: message))
            }
            return .rejected(status: status)
        }
    }

    /// A direct client's error as a probe verdict; an untrusted certificate is a refusal whose
    /// sentence names `--ca` / `--pin-sha256`.
    static func probeResult(_ error: DirectClient.Error) -> ProbeResult {
        switch error {
        case .pinMismatch(let presented): return .pinMismatch(presented: presented)
        case .untrustedCertificate, .hostnameMismatch, .invalidTrustAnchor:
            return .refused(ProbeRefusal(.certificateNotTrusted, message: error.description))
        case .timedOut: return .timedOut
        case .tls(let why): return .tlsError(why)
        case .unreachable(let why): return .transportError(why)
        default: return .transportError(error.description)
        }
    }
}
