/// Errors shared by both paths' request APIs.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `ResponseBody.collect(upTo:)` met a body larger than its limit.
    case bodyTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .bodyTooLarge(let limit): "The response is larger than \(limit) bytes — it was not read into memory."
        }
    }
}
