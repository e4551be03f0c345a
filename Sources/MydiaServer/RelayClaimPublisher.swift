import Foundation
import MydiaTunnel
public import MydiaWire

/// Publishes sealed claims through the relay's HTTP API (PROTOCOL.md §3.2, §12.6 a–b). With several
/// relay URLs (the nodes of a fleet, §15) each claim goes to the node the instance is registered
/// with right now: that node is alive, and every node of the fleet finds the claim in the shared
/// database, so a client given any of the URLs finds it.
public struct RelayClaimPublisher: ClaimPublisher {
    /// Why the relay did not store a claim.
    public enum Error: Swift.Error, CustomStringConvertible {
        case status(Int, String)
        case transport(String)

        public var description: String {
            switch self {
            case .status(let code, let body): "HTTP \(code) \(DisplayText.sanitized(String(body.prefix(200))))"
            case .transport(let why): why
            }
        }
    }

    private let origin: @Sendable () async -> RelayOrigin
    private let extraTrustAnchorPEM: String?

    /// - Parameters:
    ///   - origin: the relay origin.
    ///   - extraTrustAnchorPEM: `--relay-ca`: a PEM CA trusted for the relay's TLS besides the system roots.
    /// - Throws: when the trust anchor is not a PEM certificate.
    public init(origin: RelayOrigin, extraTrustAnchorPEM: String? = nil) throws {
        try self.init(currentOrigin: { origin }, extraTrustAnchorPEM: extraTrustAnchorPEM)
    }

    /// - Parameters:
    ///   - currentOrigin: the relay to use for each request, asked anew every time (the one the
    ///     relay link is registered with, ``RelayLink/currentRelay``).
    ///   - extraTrustAnchorPEM: `--relay-ca`: a PEM CA trusted for the relay's TLS besides the system roots.
    /// - Throws: when the trust anchor is not a PEM certificate.
    public init(currentOrigin: @escaping @Sendable () async -> RelayOrigin, extraTrustAnchorPEM: String? = nil) throws {
        _ = try RelayTLS.configuration(extraTrustAnchorPEM: extraTrustAnchorPEM)  // refuse an unusable anchor now
        self.origin = currentOrigin
        self.extraTrustAnchorPEM = extraTrustAnchorPEM
    }

    public func publish(lookupHex: String, sealed: String, owner: String) async throws -> Bool {
        let body = try JSONEncoder().encode(ClaimPublishRequest(lookupKey: lookupHex, sealed: sealed, owner: owner))
        let (status, data) = try await send("POST", path: "/pairing/v2/claim", json: Array(body))
        switch status {
        case 200..<300: return true
        case 409: return false
        default: throw Error.status(status, String(decoding: data, as: UTF8.self))
        }
    }

    public func withdraw(lookupHex: String, deleteSecret: String) async {
        let body = (try? JSONEncoder().encode(ClaimDeleteRequest(deleteSecret: deleteSecret))).map(Array.init) ?? []
        // Best effort: the relay forgets the entry after 300 s anyway.
        _ = try? await send("DELETE", path: "/pairing/v2/claim/\(lookupHex)", json: body)
    }

    private func send(_ method: String, path: String, json: [UInt8]) async throws -> (Int, [UInt8]) {
        do {
            let response = try await RelayHTTP.request(method, origin: await origin(), path: path, body: json, extraTrustAnchorPEM: extraTrustAnchorPEM)
            return (response.status, response.body)
        } catch {
            throw Error.transport(error.description)
        }
    }
}
