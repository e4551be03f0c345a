/// A Noise handshake pattern (Noise spec §7) with optional `pskN` modifiers (§9).
///
/// The engine is pattern-generic so it can be checked against every published vector for this
/// cipher suite (NN, XX, IK and their psk variants); Mydia itself uses only `IK`.
public struct HandshakePattern: Sendable, Equatable {
    /// A pattern token.
    public enum Token: Sendable, Equatable { case e, s, ee, es, se, ss, psk }

    /// The pattern's name with its modifiers, e.g. `IK` or `XXpsk0+psk2`.
    public let name: String
    let initiatorPreMessage: [Token]
    let responderPreMessage: [Token]
    let messages: [[Token]]

    /// Whether any message carries a `psk` token (which changes how `e` is processed).
    var usesPSK: Bool { messages.contains { $0.contains(.psk) } }
    /// Number of PSKs the pattern consumes.
    var pskCount: Int { messages.reduce(0) { $0 + $1.filter { $0 == .psk }.count } }

    /// `<- s ... -> e, es, s, ss  <- e, ee, se`: the pattern of every Mydia tunnel (PROTOCOL.md §4.1).
    public static let ik = HandshakePattern(name: "IK", pre: ([], [.s]), [[.e, .es, .s, .ss], [.e, .ee, .se]])
    /// `-> e  <- e, ee`.
    public static let nn = HandshakePattern(name: "NN", pre: ([], []), [[.e], [.e, .ee]])
    /// `-> e  <- e, ee, s, es  -> s, se`.
    public static let xx = HandshakePattern(name: "XX", pre: ([], []), [[.e], [.e, .ee, .s, .es], [.s, .se]])

    private static let base: [String: HandshakePattern] = ["IK": .ik, "NN": .nn, "XX": .xx]

    private init(name: String, pre: ([Token], [Token]), _ messages: [[Token]]) {
        self.name = name
        initiatorPreMessage = pre.0
        responderPreMessage = pre.1
        self.messages = messages
    }

    /// Parses `IK`, `NN`, `XX`, optionally followed by `pskN` modifiers joined with `+`
    /// (`XXpsk0+psk1`). `psk0` goes first in message 0; `pskN` goes last in message N−1.
    public init(name: String) throws(NoiseError) {
        let letters = String(name.prefix { $0.isUppercase })
        guard let pattern = Self.base[letters] else { throw .unsupportedProtocol(name) }
        var messages = pattern.messages
        let modifiers = name.dropFirst(letters.count)
        if !modifiers.isEmpty {
            for modifier in modifiers.split(separator: "+", omittingEmptySubsequences: false) {
                guard modifier.hasPrefix("psk"), let n = Int(modifier.dropFirst(3)), n >= 0, n <= messages.count else {
                    throw .unsupportedProtocol(name)
                }
                if n == 0 { messages[0].insert(.psk, at: 0) } else { messages[n - 1].append(.psk) }
            }
        }
        self.init(name: name, pre: (pattern.initiatorPreMessage, pattern.responderPreMessage), messages)
    }

    /// The full protocol name with this project's only cipher suite.
    public var protocolName: String { "Noise_\(name)_25519_ChaChaPoly_SHA256" }

    /// Parses a full protocol name; only `_25519_ChaChaPoly_SHA256` is supported.
    public init(protocolName: String) throws(NoiseError) {
        let suffix = "_25519_ChaChaPoly_SHA256"
        guard protocolName.hasPrefix("Noise_"), protocolName.hasSuffix(suffix) else {
            throw .unsupportedProtocol(protocolName)
        }
        let middle = protocolName.dropFirst("Noise_".count).dropLast(suffix.count)
        try self.init(name: String(middle))
    }
}
