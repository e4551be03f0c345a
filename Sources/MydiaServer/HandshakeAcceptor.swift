public import Foundation
public import Logging
public import MydiaCrypto
import MydiaWire
import Synchronization

/// Answers message 1 of a relay session (PROTOCOL.md §4.1, §4.3, §11.10, §12.6, §12.7, §12.9):
/// pairs a new device against a live claim or authenticates a returning one, and produces message 2.
public final class HandshakeAcceptor: Sendable {
    /// The outcome for one session.
    public enum Outcome: Sendable {
        /// Send `reply` (message 2); the tunnel is up for `deviceID`.
        case established(session: E2EESession, deviceID: String, reply: [UInt8])
        /// Send `reply` (a failure message 2) if present, then close the session with `reason`.
        case rejected(reply: [UInt8]?, reason: String)
    }

    /// What message 2 tells a client about this instance (§4.3, §11.11, §12.12).
    public struct InstanceFacts: Sendable {
        public var instanceID: String
        public var instanceName: String
        public var staticKey: X25519KeyPair
        public var directURLs: [String]
        public var certFingerprint: String
        public var discoveryKey: String

        public init(instanceID: String, instanceName: String, staticKey: X25519KeyPair, directURLs: [String],
                    certFingerprint: String, discoveryKey: String) {
            self.instanceID = instanceID
            self.instanceName = instanceName
            self.staticKey = staticKey
            self.directURLs = directURLs
            self.certFingerprint = certFingerprint
            self.discoveryKey = discoveryKey
        }
    }

    private let facts: Mutex<InstanceFacts>
    private let claims: ClaimBook
    private let devices: any DeviceAuthority
    private let approver: any PairingApprover
    private let approvalTimeout: Duration
    private let clockSkew: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Session ids already handshaken, with when (a replayed message 1 under the same id is refused).
    private let seen = Mutex<[String: Date]>([:])
    /// Called with every pairing check (printed for the operator, §12.6 c).
    private let onPairing: @Sendable (PairingRequest) -> Void

    public init(
        facts: InstanceFacts, claims: ClaimBook, devices: any DeviceAuthority, approver: any PairingApprover = AutomaticApproval(),
        approvalTimeout: Duration = .seconds(120), clockSkew: TimeInterval = 300, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }, onPairing: @escaping @Sendable (PairingRequest) -> Void = { _ in }
    ) {
        self.facts = Mutex(facts)
        self.claims = claims
        self.devices = devices
        self.approver = approver
        self.approvalTimeout = approvalTimeout
        self.clockSkew = clockSkew
        self.now = now
        self.logger = logger
        self.onPairing = onPairing
    }

    /// Updates what message 2 announces (e.g. after a certificate rotation or a new direct URL).
    public func update(_ change: @Sendable (inout InstanceFacts) -> Void) { facts.withLock { change(&$0) } }

    /// Handles message 1 of session `sessionID`.
    public func accept(sessionID: String, message1: [UInt8]) async -> Outcome {
        let facts = self.facts.withLock { $0 }
        guard let handshake = try? TunnelHandshake.instance(sessionID: sessionID, instanceID: facts.instanceID, instanceStatic: facts.staticKey) else {
            return .rejected(reply: nil, reason: "handshake_failed")
        }
        var session = E2EESession(handshake: handshake)
        let payload: [UInt8]
        do {
            guard case .handshakePayload(let p) = try session.receive(message1) else { return .rejected(reply: nil, reason: "handshake_failed") }
            payload = p
        } catch {
            // Not a valid Noise message 1 for our key: nothing authenticated, nothing to answer.
            return .rejected(reply: nil, reason: "handshake_failed")
        }
        guard let clientKey = session.remoteStaticKey else { return .rejected(reply: nil, reason: "handshake_failed") }

        let request: HandshakeRequest
        do {
            request = try HandshakeRequest(decoding: payload)
        } catch {
            return fail(&session, .authFailed)
        }
        let t = now()
        guard abs(t.timeIntervalSince1970 - Double(request.timestamp)) <= clockSkew else { return fail(&session, .authFailed) }
        guard firstSight(sessionID, at: t) else { return fail(&session, .authFailed) }

        do {
            switch request {
            case let .pair(code, deviceName, platform, _, _):
                if let failure = await claims.check(code) { return fail(&session, failure) }
                let check = session.pairingCheck ?? "------"
                let pairing = PairingRequest(deviceName: DisplayText.name(deviceName), platform: DisplayText.name(platform), pairingCheck: check)
                onPairing(pairing)
                guard await approved(pairing) else { return fail(&session, .claimInvalid) }
                if let failure = await claims.consume(code) { return fail(&session, failure) }
                // One transaction with the claim: a device row that cannot be written gives the claim back.
                let (deviceID, token): (String, String)
                do {
                    (deviceID, token) = try await devices.pairDevice(name: pairing.deviceName, platform: pairing.platform, publicKey: clientKey)
                } catch {
                    await claims.release(code)
                    throw error
                }
                await claims.completed(code)
                logger.notice("paired a new device", metadata: ["device": "\(deviceID)", "name": "\(pairing.deviceName)"])
                return try await succeed(&session, facts: facts, deviceID: deviceID, deviceToken: token)
            case let .reconnect(deviceID, token, _):
                do {
                    try await devices.authenticate(deviceID: deviceID, staticKey: clientKey, deviceToken: token)
                } catch {
                    return fail(&session, error)
                }
                return try await succeed(&session, facts: facts, deviceID: deviceID, deviceToken: nil)
            }
        } catch {
            logger.error("handshake could not complete", metadata: ["error": "\(error)"])
            return fail(&session, .authFailed)
        }
    }

    private func succeed(_ session: inout E2EESession, facts: InstanceFacts, deviceID: String, deviceToken: String?) async throws -> Outcome {
        let tokens = try await devices.credentials(deviceID: deviceID)
        let grant = HandshakeGrant(
            deviceID: deviceID, deviceToken: deviceToken, accessToken: tokens.accessToken, accessExpiresAt: tokens.accessExpiresAt,
            mediaToken: tokens.mediaToken, mediaExpiresAt: tokens.mediaExpiresAt, instanceName: facts.instanceName,
            directURLs: facts.directURLs, certFingerprint: facts.certFingerprint, discoveryKey: facts.discoveryKey)
        let reply = try session.writeHandshake(payload: HandshakeResponse.success(grant).encoded())
        return .established(session: session, deviceID: deviceID, reply: reply)
    }

    private func fail(_ session: inout E2EESession, _ failure: HandshakeFailure) -> Outcome {
        logger.info("refused a handshake", metadata: ["reason": "\(failure.rawValue)"])
        let reply = try? session.writeHandshake(payload: HandshakeResponse.failure(failure).encoded())
        session.close()
        return .rejected(reply: reply, reason: failure.rawValue)
    }

    /// Waits for the operator at most `approvalTimeout` (§12.6 d: then `claim_invalid`).
    private func approved(_ request: PairingRequest) async -> Bool {
        let approver = self.approver, timeout = approvalTimeout
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await approver.approve(request) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Records `sessionID`; `false` if it was seen before (§12.9). Entries older than the allowed
    /// clock skew can no longer pass the `ts` check, so they are forgotten.
    private func firstSight(_ sessionID: String, at t: Date) -> Bool {
        seen.withLock { seen in
            seen = seen.filter { t.timeIntervalSince($0.value) <= 2 * clockSkew }
            guard seen[sessionID] == nil else { return false }
            seen[sessionID] = t
            return true
        }
    }
}
