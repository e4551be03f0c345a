import Foundation

// The first-run pairing screen (PROTOCOL.md §3, §12.6): the claim code and the relay, Enter pairs,
// Ctrl-L switches to the URL login screen beside it (§14.2).
extension AppState {
    /// Keys on the pairing screen; locked while a pairing runs.
    mutating func handlePairing(_ key: Key) -> [Effect] {
        guard !pairing.busy else { return [] }
        switch key {
        case .character(let c):
            pairing.error = nil
            if pairing.focus == .code { pairing.type(code: String(c)) } else { pairing.relay.append(c) }
        case .backspace, .delete:
            pairing.startsOver = false
            if pairing.focus == .code { _ = pairing.code.popLast() } else { _ = pairing.relay.popLast() }
        case .tab, .backTab, .up, .down:
            pairing.focus = pairing.focus == .code ? .relay : .code
        case .control("l"):
            pairing.error = nil
            stack = [.login]
        case .enter:
            guard pairing.code.count == 6 else {
                pairing.error = "The claim code has 6 characters — type the code the server shows."
                pairing.focus = .code
                return []
            }
            let relay = pairing.relay.trimmingCharacters(in: .whitespaces)
            guard !relay.isEmpty else {
                pairing.error = "Type the relay the server uses, e.g. https://relay.example.org."
                pairing.focus = .relay
                return []
            }
            pairing.busy = true
            pairing.error = nil
            pairing.progress = nil
            pairing.check = nil
            return [.pair(code: pairing.code, relay: relay)]
        case .escape:
            return quit()
        default:
            break
        }
        return []
    }
}
