/// One `range-spec` of an HTTP `Range: bytes=…` header (RFC 9110 §14.1.1).
///
/// Parsing is purely syntactic; ``resolved(size:)`` turns a spec into concrete byte offsets for a
/// representation of a known size, or says it is unsatisfiable.
public enum ByteRange: Equatable, Hashable, Sendable {
    /// `first-last`: bytes `first` through `last`, inclusive.
    case closed(first: Int, last: Int)
    /// `first-`: bytes from `first` to the end.
    case from(first: Int)
    /// `-length`: the final `length` bytes.
    case suffix(length: Int)

    /// Parses a `Range` header value.
    ///
    /// - Returns: the range specs in request order, or `nil` when the value is not a well-formed
    ///   `bytes` range set. RFC 9110 §14.2 lets a server ignore such a header, and so do we: the
    ///   caller then serves the whole representation.
    public static func parseHeader(_ value: some StringProtocol) -> [ByteRange]? {
        let trimmed = value.trimmingOWS()
        guard let equals = trimmed.firstIndex(of: "=") else { return nil }
        // The range unit is case-insensitive (RFC 9110 §14.1).
        guard trimmed[..<equals].trimmingOWS().lowercased() == "bytes" else { return nil }
        var specs: [ByteRange] = []
        for element in trimmed[trimmed.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false) {
            let item = element.trimmingOWS()
            // RFC 9110 §5.6.1: recipients ignore empty list elements.
            if item.isEmpty { continue }
            guard let spec = parseSpec(item) else { return nil }
            specs.append(spec)
        }
        return specs.isEmpty ? nil : specs
    }

    /// The inclusive byte offsets this spec selects in a representation of `size` bytes, or `nil`
    /// when it is unsatisfiable there (RFC 9110 §14.1.1: `first` at or past the end, a zero-length
    /// suffix, or any range of an empty representation).
    public func resolved(size: Int) -> ClosedRange<Int>? {
        guard size > 0 else { return nil }
        switch self {
        case .closed(let first, let last):
            guard first < size else { return nil }
            return first...min(last, size - 1)
        case .from(let first):
            guard first < size else { return nil }
            return first...(size - 1)
        case .suffix(let length):
            guard length > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }

    private static func parseSpec(_ item: Substring) -> ByteRange? {
        guard let dash = item.firstIndex(of: "-") else { return nil }
        let firstText = item[..<dash]
        let lastText = item[item.index(after: dash)...]
        if firstText.isEmpty {
            guard let length = parseDigits(lastText) else { return nil }
            return .suffix(length: length)
        }
        guard let first = parseDigits(firstText) else { return nil }
        if lastText.isEmpty { return .from(first: first) }
        guard let last = parseDigits(lastText), last >= first else { return nil }
        return .closed(first: first, last: last)
    }

    /// `1*DIGIT`, saturating at `Int.max` so that absurdly large positions stay well-defined
    /// (they are simply past the end of any real file).
    private static func parseDigits(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            value = (o1 || o2) ? Int.max : sum
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing optional whitespace (SP / HTAB, RFC 9110 §5.6.3).
    func trimmingOWS() -> Substring {
        let s = Substring(self)
        guard let start = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return s[s.endIndex...] }
        let end = s.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return s[start...end]
    }
}
