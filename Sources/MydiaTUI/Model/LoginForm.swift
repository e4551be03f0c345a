/// The "log in with a server URL" form beside the pairing screen (PROTOCOL.md §14.2): the
/// server's URL, the user, the password (wipeable bytes, shown as •), how the server's certificate
/// is trusted, and — once the server asks for one — the TOTP or recovery code.
///
/// Typing goes to `focus`. While a login runs (`busy`) nothing is typed; when the account needs a
/// second factor the login waits, `needsCode` turns on and only the code field takes keys.
public struct LoginForm: Sendable {
    /// A field of the form, in Tab order.
    public enum Field: Sendable, Hashable {
        case url, user, password, trust, code
    }

    /// How far a running login got.
    public enum Progress: Sendable, Hashable {
        /// Asking the server what it is (no password sent yet).
        case checkingServer
        /// The user name and password are on their way.
        case signingIn
        /// The account needs a TOTP or recovery code; the login waits for it.
        case secondFactor
        /// The server sent the code on (after `secondFactor`).
        case verifyingCode
        /// Logged in and stored; the session opens.
        case loggedIn(String)
    }

    /// The server's base URL as typed.
    public var url = ""
    /// The user name or e-mail.
    public var user = ""
    /// The password; wiped when it is handed to the login call.
    public var password = SecretInput()
    /// Empty (the system's CAs), a PEM CA file's path, or the certificate's SHA-256 pin.
    public var trust = ""
    /// The TOTP or recovery code, while the login waits for it.
    public var code = SecretInput()
    /// The field with the keyboard.
    public var focus: Field = .url
    /// True while the server waits for a second factor.
    public var needsCode = false
    /// True while a login call runs and nothing can be typed.
    public var busy = false
    /// Where the running (or finished) login is.
    public var progress: Progress?
    /// The plain-HTTP warning, for an allowed `http://` URL (§14.2.5).
    public var warning: String?
    /// The last refusal or failure, with what to do.
    public var error: String?

    /// The fields on screen, in Tab order (the code field only while the server waits for it).
    public var fields: [Field] { needsCode ? [.url, .user, .password, .trust, .code] : [.url, .user, .password, .trust] }

    /// Moves the focus `step` fields on, wrapping around (the code step keeps it on the code).
    mutating func moveFocus(_ step: Int) {
        guard !needsCode else { return }
        let order = fields
        let index = order.firstIndex(of: focus) ?? 0
        focus = order[(index + step + order.count) % order.count]
    }

    /// Adds a typed character to the focused field.
    mutating func type(_ character: Character) {
        switch focus {
        case .url: if !character.isWhitespace { url.append(character) }
        case .user: user.append(character)
        case .password: password.append(character)
        case .trust: trust.append(character)
        case .code:
            // Six digits, or a recovery code (letters, digits, dashes); nothing else is part of one.
            if character.isASCII, character.isLetter || character.isNumber || character == "-", code.count < 64 { code.append(character) }
        }
    }

    /// Backspace in the focused field.
    mutating func deleteBackward() {
        switch focus {
        case .url: _ = url.popLast()
        case .user: _ = user.popLast()
        case .password: password.removeLast()
        case .trust: _ = trust.popLast()
        case .code: code.removeLast()
        }
    }

    /// Wipes both secrets (after a login ended, or when the form is left).
    mutating func wipeSecrets() {
        password.wipe()
        code.wipe()
    }
}
