/// The instance socket's binary framing: 36 ASCII bytes of `session_id`, then one E2EE message
/// (PROTOCOL.md §2.1). Client sockets carry the E2EE message with no prefix (§2.2).
public enum RelaySessionFrame {
    /// Length of the session id prefix.
    public static let sessionIDBytes = 36

    /// `session_id || payload`.
    /// - Precondition: `sessionID` is a valid session id (see ``RelaySessionID/isValid(_:)``).
    public static func encode(sessionID: String, payload: some Collection<UInt8>) -> [UInt8] {
        precondition(RelaySessionID.isValid(sessionID), "session ids are 36-character lowercase UUIDs")
        var out = [UInt8]()
        out.reserveCapacity(sessionIDBytes + payload.count)
        out.append(contentsOf: sessionID.utf8)
        out.append(contentsOf: payload)
        return out
    }

    /// Splits an instance-socket binary message; `nil` when it is shorter than the prefix or the
    /// prefix is not a lowercase UUID.
    public static func decode(_ bytes: [UInt8]) -> (sessionID: String, payload: ArraySlice<UInt8>)? {
        guard bytes.count >= sessionIDBytes else { return nil }
        let prefix = bytes[0..<sessionIDBytes]
        guard RelaySessionID.isValid(utf8: prefix) else { return nil }
        return (String(decoding: prefix, as: UTF8.self), bytes[sessionIDBytes...])
    }
}

/// Session ids (and instance ids): the 36-character lowercase UUID form.
public enum RelaySessionID {
    /// `true` iff `text` is `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase hex.
    public static func isValid(_ text: String) -> Bool { isValid(utf8: Array(text.utf8)) }

    /// `true` iff the bytes spell a lowercase UUID. Inlinable: the relay checks every instance
    /// frame's prefix, and unspecialised it cost a generic-metadata lookup per byte.
    @inlinable public static func isValid(utf8 bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            switch i {
            case 8, 13, 18, 23: if b != UInt8(ascii: "-") { return false }
            default:
                let hex = (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
                if !hex { return false }
            }
        }
        return true
    }
}
