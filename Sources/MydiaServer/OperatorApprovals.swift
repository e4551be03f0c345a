import Synchronization

/// `--approve-pairing` (PROTOCOL.md §12.6 d): each pairing waits until the operator approves or
/// denies it by its pairing check (`mydia-server approve CHECK`). Without the flag every pairing
/// with a valid code is approved at once.
final class OperatorApprovals: PairingApprover {
    private let required: Bool
    private let pending = Mutex<[(request: PairingRequest, answer: CheckedContinuation<Bool, Never>)]>([])

    init(required: Bool) { self.required = required }

    func approve(_ request: PairingRequest) async -> Bool {
        guard required else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in pending.withLock { $0.append((request, c)) } }
        } onCancel: {
            // The handshake gave up waiting (120 s): forget the request, answering "no".
            answer(check: request.pairingCheck, approved: false)
        }
    }

    /// Pairings waiting for the operator.
    var waiting: [PairingRequest] { pending.withLock { $0.map(\.request) } }

    /// Answers the pairing with this check; `false` if none is waiting.
    @discardableResult
    func answer(check: String, approved: Bool) -> Bool {
        let match = pending.withLock { list -> CheckedContinuation<Bool, Never>? in
            guard let i = list.firstIndex(where: { $0.request.pairingCheck == check }) else { return nil }
            return list.remove(at: i).answer
        }
        match?.resume(returning: approved)
        return match != nil
    }
}
