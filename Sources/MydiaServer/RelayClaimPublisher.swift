import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import MydiaWire

/// Publishes sealed claims through the relay's HTTP API (PROTOCOL.md §3.2, §12.6 a–b).
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

    private let origin: RelayOrigin
    private let session: URLSession

    public init(origin: RelayOrigin) {
        self.origin = origin
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        session = URLSession(configuration: configuration)
    }

    public func publish(lookupHex: String, sealed: String, owner: String) async throws -> Bool {
        var request = URLRequest(url: URL(string: origin.claimURL())!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = try JSONEncoder().encode(ClaimPublishRequest(lookupKey: lookupHex, sealed: sealed, owner: owner))
        let (data, response) = try await send(request)
        switch response.statusCode {
        case 200..<300: return true
        case 409: return false
        default: throw Error.status(response.statusCode, String(decoding: data, as: UTF8.self))
        }
    }

    public func withdraw(lookupHex: String, deleteSecret: String) async {
        var request = URLRequest(url: URL(string: origin.claimURL(lookupHex: lookupHex))!)
        request.httpMethod = "DELETE"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = try? JSONEncoder().encode(ClaimDeleteRequest(deleteSecret: deleteSecret))
        // Best effort: the relay forgets the entry after 300 s anyway.
        _ = try? await send(request)
    }

    private func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { throw Error.transport("not an HTTP response") }
            return (data, http)
        } catch let error as Error {
            throw error
        } catch {
            throw Error.transport(error.localizedDescription)
        }
    }
}
