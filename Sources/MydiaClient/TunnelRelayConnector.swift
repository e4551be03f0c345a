import Foundation
import Logging
import MydiaAPI
import MydiaConnection
import MydiaCrypto
import MydiaTransport
import MydiaWire

/// The ConnectionManager's relay path on the real transports: relay WebSocket (instance key
/// pinned) + Noise IK handshake with a `reconnect` payload + the tunnel session (PROTOCOL.md §2.2,
/// §4, §5). Every successful handshake refreshes the stored direct URLs, pin and tokens (§11.11).
struct TunnelRelayConnector: RelayConnector {
    let store: CredentialStore
    let instanceID: String
    let logger: Logger

    func connect() async throws -> any RelaySession {
        guard let credentials = await store.credentials(instanceID: instanceID) else { throw ClientError.notPaired }
        let origin = try RelayOrigin(credentials.relayURL)
        do {
            let relay = try await RelayConnection.connect(
                origin: origin, instanceID: credentials.instanceID, pinnedInstanceKey: credentials.instancePublicKey,
                configuration: .init(extraTrustAnchorPEM: credentials.relayCAPEM), logger: logger)
            let request = HandshakeRequest.reconnect(
                deviceID: credentials.deviceID, deviceToken: credentials.deviceToken, timestamp: Int64(Date().timeIntervalSince1970))
            let tunnel = try await TunnelSession.establish(relay: relay, clientKey: credentials.deviceKeyPair, request: request, logger: logger)
            _ = try await store.updateAfterReconnect(instanceID: instanceID, grant: tunnel.grant)
            return TunnelRelaySession(relay: relay, tunnel: tunnel)
        } catch let error as RelayConnection.Error where Self.isFinal(error) {
            throw RelayRefused(error)
        } catch let error as TunnelSession.Error where Self.isFinal(error) {
            throw RelayRefused(error)
        }
    }

    /// Refusals that reconnecting soon cannot fix: the relay names another key or instance, or the
    /// instance no longer accepts this device.
    static func isFinal(_ error: RelayConnection.Error) -> Bool {
        switch error {
        case .instanceKeyMismatch, .wrongInstance: return true
        default: return false
        }
    }

    static func isFinal(_ error: TunnelSession.Error) -> Bool {
        guard case .refused(let failure) = error else { return false }
        switch failure {
        case .deviceRevoked, .deviceUnknown, .authFailed: return true
        default: return false
        }
    }
}

/// One relay connection with its tunnel, as the ConnectionManager sees it.
struct TunnelRelaySession: RelaySession {
    let relay: RelayConnection
    let tunnel: TunnelSession

    var directConfiguration: DirectConfiguration? {
        DirectConfiguration(urls: tunnel.grant.directURLs.compactMap(URL.init(string:)), certificateFingerprint: tunnel.grant.certFingerprint)
    }

    func send(_ request: PathRequest) async throws -> PathResponse {
        do {
            let response = try await tunnel.request(method: request.method, path: request.path, headers: request.headers, body: request.body)
            return PathResponse(status: response.status, headers: response.headers, body: response.body.interruptible())
        } catch let error as TunnelSession.Error where error.isWithheldOrAborted {
            throw ExchangeInterrupted(reason: error.description)
        }
    }

    func ping() async throws -> Duration { try await tunnel.ping() }

    func closed() async -> String { await relay.ended().description }

    func close() async { await tunnel.close() }
}

extension ResponseBody {
    /// The body as the ConnectionManager's stream; a stream aborted by a counter gap (§12.11) surfaces
    /// as `ExchangeInterrupted`, one cut by the end of the relay session as `RelaySessionLost`, so
    /// the manager resumes it by Range (on the next session for the latter, §13.38).
    ///
    /// The stream is pull-based: a chunk leaves the transport's buffer only when the manager's reader
    /// asks for it, so the tunnel's stream credit (§5.3) and the direct socket's TCP window keep
    /// pushing back on the sender while the player is slow (PROTOCOL.md §13.34). Cancelling the
    /// iterating task, or dropping the stream, cancels the transfer (the body's consumer goes away).
    func interruptible() -> AsyncThrowingStream<[UInt8], any Error> {
        let body = self
        return AsyncThrowingStream(unfolding: {
            var iterator = body.makeAsyncIterator()  // stateless: every iterator reads the same pipe
            do {
                return try await iterator.next()
            } catch let error as TunnelSession.Error where error.isWithheldOrAborted {
                throw ExchangeInterrupted(reason: error.description)
            } catch let error as TunnelSession.Error where error.isSessionLost {
                throw RelaySessionLost(reason: error.description)
            }
        })
    }
}

extension TunnelSession.Error {
    /// Frames withheld in transit or a stream the instance aborted: retry the exchange (§12.11).
    var isWithheldOrAborted: Bool {
        switch self {
        case .framesWithheld, .streamAborted: true
        default: false
        }
    }

    /// The relay session ended under the exchange (§13.38). `closedLocally` counts too: when the
    /// manager notices a dead session first, it closes the tunnel itself, and that is the error the
    /// body sees. A manager that is stopping fails the resume at once (`stopped`).
    var isSessionLost: Bool {
        switch self {
        case .closed, .pingTimedOut: true
        default: false
        }
    }
}
