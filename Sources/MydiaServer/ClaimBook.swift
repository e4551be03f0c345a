public import Foundation
public import MydiaCrypto
public import MydiaWire

/// Where sealed claims are published: the relay's claim API (PROTOCOL.md §3.2, §12.6).
public protocol ClaimPublisher: Sendable {
    /// Stores a sealed claim. `false` when the lookup key is already taken (409: first writer wins).
    func publish(lookupHex: String, sealed: String, owner: String) async throws -> Bool
    /// Deletes a claim, proving ownership with the secret whose SHA-256 was the `owner`.
    func withdraw(lookupHex: String, deleteSecret: String) async
}

/// The instance's live pairing codes (PROTOCOL.md §3.1, §3.3, §11.7, §12.6, §12.7): 6-digit codes
/// valid 300 s, single use, burned after 10 failed guesses, published sealed at the relay and
/// withdrawn once used, expired or burned.
public actor ClaimBook {
    /// A code as shown to the operator.
    public struct IssuedClaim: Sendable, Equatable {
        public let code: ClaimCode
        public let expiresAt: Date
    }

    /// Why issuing failed.
    public enum Error: Swift.Error, CustomStringConvertible {
        case publishFailed(String)
        case noFreeCode

        public var description: String {
            switch self {
            case .publishFailed(let why): "The relay did not accept the pairing claim: \(why)"
            case .noFreeCode: "The relay refused several fresh codes in a row; try again in a moment."
            }
        }
    }

    private struct Entry {
        let code: ClaimCode
        let expiresAt: Date
        let lookupHex: String
        let deleteSecret: String
        var failures = 0
        var state = State.live
        enum State { case live, used, burned }
    }

    private let instanceID: String
    private let instanceName: String
    private let publicKey: [UInt8]
    private let publisher: any ClaimPublisher
    private let lifetime: TimeInterval
    private let guessBudget: Int
    private let now: @Sendable () -> Date
    private var entries: [Entry] = []

    public init(
        instanceID: String, instanceName: String, publicKey: [UInt8], publisher: any ClaimPublisher,
        lifetime: TimeInterval = 300, guessBudget: Int = 10, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.publicKey = publicKey
        self.publisher = publisher
        self.lifetime = lifetime
        self.guessBudget = guessBudget
        self.now = now
    }

    /// Issues a fresh code and publishes its sealed claim. A taken lookup key means another code.
    public func issue() async throws -> IssuedClaim {
        for _ in 0..<5 {
            let code = ClaimCode.generate()
            let expiresAt = now().addingTimeInterval(lifetime)
            let payload = ClaimPayload(instanceID: instanceID, instanceName: instanceName, publicKey: publicKey, expiresAt: expiresAt)
            // Argon2id takes a noticeable fraction of a second: keep it off the actor.
            let (lookupHex, sealed) = await Task.detached {
                let keys = SealedClaim.Keys(code: code)
                return (keys.lookupHex, SealedClaim.seal(payload.encoded(), keys: keys))
            }.value
            let deleteSecret = Encoding.hex(SecretBytes.random(count: 32).exposedCopy())
            let owner = Encoding.hex(SHA256.hash(Array(deleteSecret.utf8)))
            let stored: Bool
            do {
                stored = try await publisher.publish(lookupHex: lookupHex, sealed: sealed, owner: owner)
            } catch {
                throw Error.publishFailed("\(error)")
            }
            guard stored else { continue }
            prune()
            entries.append(Entry(code: code, expiresAt: expiresAt, lookupHex: lookupHex, deleteSecret: deleteSecret))
            return IssuedClaim(code: code, expiresAt: expiresAt)
        }
        throw Error.noFreeCode
    }

    /// The live claims, soonest expiry first (for the operator).
    public var liveClaims: [IssuedClaim] {
        let t = now()
        return entries.filter { $0.state == .live && $0.expiresAt > t }.map { IssuedClaim(code: $0.code, expiresAt: $0.expiresAt) }
    }

    /// Checks a code from a `pair` payload without consuming it. A wrong code counts against every
    /// live claim's guess budget; a claim that runs out is burned and withdrawn.
    public func check(_ typed: String) -> HandshakeFailure? {
        let t = now()
        guard let code = try? ClaimCode(typed), let index = find(code) else {
            recordFailure()
            return .claimInvalid
        }
        let entry = entries[index]
        switch entry.state {
        case .used: return .claimUsed
        case .burned: return .rateLimited
        case .live: return entry.expiresAt > t ? nil : .claimExpired
        }
    }

    /// Consumes the claim at the moment pairing succeeds (§12.7). Returns the failure to send when
    /// it was used, burned or expired meanwhile, so a replayed `pair` can never pair twice. Pairing
    /// is one transaction with the device row: after the row is written call ``completed(_:)``
    /// (the sealed claim is withdrawn from the relay), and when writing it failed ``release(_:)``
    /// (the claim is live again, the code still works).
    public func consume(_ typed: String) -> HandshakeFailure? {
        if let failure = check(typed) { return failure }
        guard let code = try? ClaimCode(typed), let index = find(code) else { return .claimInvalid }
        entries[index].state = .used
        return nil
    }

    /// The device row of a consumed claim was written: withdraw the sealed claim from the relay.
    public func completed(_ typed: String) {
        guard let code = try? ClaimCode(typed), let index = find(code), entries[index].state == .used else { return }
        withdraw(entries[index])
    }

    /// The device row of a consumed claim could not be written: the claim is live again.
    public func release(_ typed: String) {
        guard let code = try? ClaimCode(typed), let index = find(code), entries[index].state == .used else { return }
        entries[index].state = .live
    }

    private func find(_ code: ClaimCode) -> Int? {
        // Compare against every entry in constant time per entry; no early exit on a match.
        var found: Int?
        for (i, e) in entries.enumerated() where ConstantTime.equals(e.code.value, code.value) { found = found ?? i }
        return found
    }

    private func recordFailure() {
        let t = now()
        for i in entries.indices where entries[i].state == .live && entries[i].expiresAt > t {
            entries[i].failures += 1
            if entries[i].failures >= guessBudget {
                entries[i].state = .burned
                withdraw(entries[i])
            }
        }
    }

    private func withdraw(_ entry: Entry) {
        let publisher = self.publisher
        Task { await publisher.withdraw(lookupHex: entry.lookupHex, deleteSecret: entry.deleteSecret) }
    }

    /// Keeps records for an hour after expiry so a late attempt hears "expired", not "invalid".
    private func prune() {
        let cutoff = now().addingTimeInterval(-3600)
        entries.removeAll { $0.expiresAt < cutoff }
    }
}
