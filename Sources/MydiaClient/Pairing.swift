import Foundation
public import Logging
public import MydiaAPI
import MydiaCrypto
import MydiaTransport
import MydiaTunnel
public import MydiaWire

/// First pairing with a claim code (PROTOCOL.md §3.3): look the sealed claim up at the relay, open
/// it, connect through the relay to the instance it names (checking the relay announces the same
/// key), run the handshake with a `pair` payload, and store everything atomically.
public enum Pairing {
    /// Progress, for a person watching (§12.6: the pairing check is shown on both sides).
    public enum Step: Sendable {
        case lookingUp
        case connecting(instanceName: String)
        case securing
        case pairingCheck(String)
        case paired(instanceName: String)
    }

    /// Pairs with the code a server shows.
    /// - Parameter relayCAPEM: an extra trust anchor for the relay's TLS (`--relay-ca`, §12.5), in
    ///   addition to the system roots; stored with the credentials for every later connection.
    public static func pair(
        code typed: String, relay: String, relayCAPEM: String? = nil, deviceName: String, store: CredentialStore, logger: Logger,
        progress: @escaping @Sendable (Step) -> Void = { _ in }
    ) async throws -> ServerCredentials {
        let code = try ClaimCode(typed)
        let origin: RelayOrigin
        do { origin = try RelayOrigin(relay) } catch { throw ClientError.invalidRelay(error.description) }
        progress(.lookingUp)
        let claim = try await lookUp(code: code, origin: origin, relayCAPEM: relayCAPEM)
        return try await complete(code: code, origin: origin, relayCAPEM: relayCAPEM, instanceID: claim.instanceID,
                                  instanceName: claim.instanceName, instanceKey: claim.publicKey, deviceName: deviceName,
                                  store: store, logger: logger, progress: progress)
    }

    /// Pairs from a scanned QR payload (§3.3): no relay lookup.
    public static func pair(
        qr: PairingQRPayload, relayCAPEM: String? = nil, deviceName: String, store: CredentialStore, logger: Logger,
        progress: @escaping @Sendable (Step) -> Void = { _ in }
    ) async throws -> ServerCredentials {
        let code = try ClaimCode(qr.claim_code)
        let origin: RelayOrigin
        do { origin = try RelayOrigin(qr.relay) } catch { throw ClientError.invalidRelay(error.description) }
        guard let key = Encoding.fromBase64(qr.public_key), key.count == 32 else { throw ClientError.claimUnreadable("The QR code carries no valid server key.") }
        return try await complete(code: code, origin: origin, relayCAPEM: relayCAPEM, instanceID: qr.instance_id, instanceName: nil, instanceKey: key,
                                  deviceName: deviceName, store: store, logger: logger, progress: progress)
    }

    private static func complete(
        code: ClaimCode, origin: RelayOrigin, relayCAPEM: String?, instanceID: String, instanceName: String?, instanceKey: [UInt8],
        deviceName: String, store: CredentialStore, logger: Logger, progress: @escaping @Sendable (Step) -> Void
    ) async throws -> ServerCredentials {
        progress(.connecting(instanceName: instanceName ?? instanceID))
        // The relay must announce the key the sealed claim carried (§3.3 step 2).
        let relay = try await RelayConnection.connect(origin: origin, instanceID: instanceID, pinnedInstanceKey: instanceKey,
                                                      configuration: .init(extraTrustAnchorPEM: relayCAPEM), logger: logger)
        progress(.securing)
        let deviceKey = X25519KeyPair.generate()
        let request = HandshakeRequest.pair(
            claimCode: code.value, deviceName: DisplayText.name(deviceName), platform: platformName(),
            clientVersion: ClientVersion.current, timestamp: Int64(Date().timeIntervalSince1970))
        let tunnel = try await TunnelSession.establish(relay: relay, clientKey: deviceKey, request: request, logger: logger,
                                                       onPairingCheck: { progress(.pairingCheck($0)) })
        defer { Task { await tunnel.close() } }
        let credentials = try ServerCredentials(instanceID: instanceID, instancePublicKey: instanceKey, relayURL: origin.httpOrigin,
                                                deviceKeyPair: deviceKey, grant: tunnel.grant, relayCAPEM: relayCAPEM)
        try await store.save(credentials)
        progress(.paired(instanceName: credentials.instanceName))
        return credentials
    }

    /// GET the sealed claim and open it (§3.2, §12.7).
    static func lookUp(code: ClaimCode, origin: RelayOrigin, relayCAPEM: String?) async throws -> ClaimPayload {
        let keys = await Task.detached { SealedClaim.Keys(code: code) }.value  // Argon2id: off the caller's executor
        let response: RelayHTTP.Response
        do {
            response = try await RelayHTTP.request("GET", origin: origin, path: "/pairing/v2/claim/\(keys.lookupHex)",
                                                   extraTrustAnchorPEM: relayCAPEM)
        } catch {
            switch error {
            case .invalidConfiguration(let why): throw ClientError.invalidRelay(RelayConnection.Error.invalidConfiguration(why).description)
            case .unreachable(let why): throw ClientError.relayUnreachable(why)
            }
        }
        switch response.status {
        case 200: break
        case 404: throw ClientError.claimNotFound
        case 429: throw TunnelSession.Error.refused(.rateLimited)
        case let status: throw ClientError.relayUnreachable("HTTP \(status)")
        }
        guard let body = try? JSONDecoder().decode(ClaimLookupResponse.self, from: Data(response.body)) else {
            throw ClientError.claimUnreadable("The relay returned an unreadable claim.")
        }
        let plaintext: [UInt8]
        do { plaintext = try SealedClaim.open(body.sealed, keys: keys) } catch { throw ClientError.claimUnreadable(error.description) }
        do { return try ClaimPayload(decoding: plaintext) } catch { throw ClientError.claimUnreadable(error.description) }
    }

    private static func platformName() -> String {
        var info = utsname()
        uname(&info)
        let sys = withUnsafeBytes(of: &info.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return sys.lowercased()
    }
}

/// This client's version, sent in the `pair` payload.
public enum ClientVersion {
    public static let current = "0.1.0"
}
