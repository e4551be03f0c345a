extension ConnectionManager {
    /// Why a request through the manager failed.
    public enum Error: Swift.Error, Hashable, CustomStringConvertible {
        /// No path is usable right now (relay down and no direct path).
        case offline
        /// A request that is not idempotent was in flight when its path failed; it was not re-sent.
        case interrupted(method: String, path: String)
        /// A body could not be continued seamlessly on the other path.
        case resumeFailed(String)
        /// The manager was stopped.
        case stopped
        /// Direct-only (a URL-login server): the last probe round reached no URL; carries the
        /// verdict on the most preferred one.
        case directUnavailable(ProbeResult)

        /// Whether trying again later may succeed.
        public var isRetryable: Bool {
            switch self {
            case .stopped, .directUnavailable(.refused): false
            default: true
            }
        }

        /// One plain sentence for the user.
        public var description: String {
            switch self {
            case .offline:
                return "The server cannot be reached right now — the connection is retrying; try again in a moment."
            case .interrupted(let method, _):
                return "The connection changed while a \(method) request was running; it was not repeated — try again."
            case .resumeFailed(let reason):
                return "The download could not continue after the connection changed (\(reason)) — try again."
            case .stopped:
                return "The connection has been closed."
            case .directUnavailable(let result):
                if case .refused(let refusal) = result { return refusal.message }
                var why = result.failureDescription ?? "it did not answer"
                if why.hasSuffix(".") { why.removeLast() }
                return "The server cannot be reached right now — \(why.prefix(1).lowercased() + why.dropFirst()); try again in a moment."
            }
        }
    }
}

/// Why a direct exchange was abandoned; the caller sees a re-issue or `Error.interrupted`, never this.
enum DirectPathFailure: Swift.Error, Equatable {
    case pathFailed
}
