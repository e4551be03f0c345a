/// A pairing waiting for the operator (PROTOCOL.md §12.6 c, d): the device's name and the 6-digit
/// pairing check both sides show.
public struct PairingRequest: Sendable, Equatable {
    public let deviceName: String
    public let platform: String
    public let pairingCheck: String
}

/// Decides whether a pairing may complete. `--approve-pairing` asks the operator; otherwise every
/// pairing with a valid code is approved, and its check is still printed.
public protocol PairingApprover: Sendable {
    /// `true` to complete the pairing. Called at most once per pairing; the caller bounds the wait.
    func approve(_ request: PairingRequest) async -> Bool
}

/// Approves everything (the default without `--approve-pairing`).
public struct AutomaticApproval: PairingApprover {
    public init() {}
    public func approve(_ request: PairingRequest) async -> Bool { true }
}
