/// What can stop a client command, each with one plain sentence.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    case notPaired
    case invalidRelay(String)
    case claimNotFound
    case claimUnreadable(String)
    case relayUnreachable(String)

    public var description: String {
        switch self {
        case .notPaired: "This device is not paired with a server — run `mydia-tui pair CODE --relay URL` first."
        case .invalidRelay(let why): why
        case .claimNotFound: "No server is waiting for this code — check it, or ask the server for a new one (codes expire after 5 minutes)."
        case .claimUnreadable(let why): why
        case .relayUnreachable(let why): "The relay could not be reached (\(why)) — check the URL and your network."
        }
    }
}
