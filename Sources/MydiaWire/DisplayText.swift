/// Display strings from the network (`instance_name`, `device_name`, titles, TXT values) are
/// UTF-8, names at most 64 characters, and C0/C1 control characters are stripped before they are
/// shown (PROTOCOL.md §12.18) — so a hostile name cannot drive the terminal.
public enum DisplayText {
    /// Longest name, in characters.
    public static let maxNameLength = 64

    /// `text` without C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F) control characters.
    public static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { s in
            !(s.value < 0x20 || (s.value >= 0x7f && s.value <= 0x9f))
        }))
    }

    /// A sanitised name cut to 64 characters.
    public static func name(_ text: String) -> String {
        String(sanitized(text).prefix(maxNameLength))
    }
}
