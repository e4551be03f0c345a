/// A domain name as a list of labels (`["_mydia", "_tcp", "local"]`), compared the DNS way:
/// ASCII letters case-insensitively, every other byte exactly (RFC 1035 §2.3.3, RFC 6762 §16).
///
/// A label is raw bytes on the wire; DNS-SD instance names are UTF-8 and may contain dots and
/// spaces, so a label is kept as a `String` decoded from UTF-8 (a label that is not UTF-8 is refused when decoding).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// The labels, most specific first, without the empty root label.
    public var labels: [String]

    /// A name from its labels.
    public init(labels: [String]) { self.labels = labels }

    /// A name from dotted text (`"_mydia._tcp.local."`); a trailing dot is optional. Only for
    /// names whose labels contain no dot themselves.
    public init(_ dotted: String) {
        labels = dotted.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
    }

    /// `label` prepended to `self` (an instance label before its service type).
    public func prepending(_ label: String) -> DNSName { DNSName(labels: [label] + labels) }

    /// Whether `self` ends with `suffix`'s labels.
    public func hasSuffix(_ suffix: DNSName) -> Bool {
        guard labels.count >= suffix.labels.count else { return false }
        return DNSName(labels: Array(labels.suffix(suffix.labels.count))) == suffix
    }

    /// Dotted text with a trailing dot; dots and backslashes inside labels are escaped.
    public var description: String {
        labels.map { $0.replacingBackslashAndDot() }.joined(separator: ".") + "."
    }

    public static func == (a: DNSName, b: DNSName) -> Bool {
        a.labels.count == b.labels.count && zip(a.labels, b.labels).allSatisfy { Self.foldedBytes($0) == Self.foldedBytes($1) }
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels { hasher.combine(Self.foldedBytes(label)) }
    }

    /// ASCII upper case folded to lower case; other bytes unchanged.
    static func foldedBytes(_ label: String) -> [UInt8] {
        label.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }
    }
}

extension String {
    fileprivate func replacingBackslashAndDot() -> String {
        var out = ""
        for c in self {
            if c == "." || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
