import MydiaAPI
import MydiaCrypto
import MydiaTransport

extension LoginServer.Security {
    /// The direct client's TLS mode for a stored login (PROTOCOL.md §14.2.5).
    /// - Throws: `DirectClient.Error.tls` when a stored pin is not 64 hex digits.
    func directMode() throws(DirectClient.Error) -> DirectClient.TLSMode {
        switch self {
        case .verified(let pem): return .verified(extraCAPEM: pem)
        case .plainHTTP: return .plainHTTP
        case .pinned(let hex):
            guard let pin = CertificateFingerprint(hex: hex) else { throw .tls("the stored pin is not a SHA-256 fingerprint") }
            return .pinned(pin)
        }
    }

    /// The pin to hand the connection manager, if any.
    var pin: String? {
        if case .pinned(let hex) = self { return hex }
        return nil
    }
}
