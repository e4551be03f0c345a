/// What a reverse proxy in front of a server answers when it is not the API speaking — an HTML
/// page, a bare gateway error — turned into one sentence (the page itself is never shown).
enum ProxyPage {
    /// Whether the reply is a web page rather than JSON.
    static func isWebPage(_ reply: APIReply) -> Bool {
        if let type = reply.headers["content-type"]?.lowercased(), type.contains("text/html") { return true }
        let start = reply.body.prefix(512).drop { [0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].contains($0) }
        return start.first == UInt8(ascii: "<")
    }

    /// The sentence for a web page: a gateway error, or the wrong address.
    static func sentence(status: Int) -> String {
        gatewaySentence(status: status)
            ?? "a web page instead of the Mydia API — check the URL and any proxy in front of the server"
    }

    /// The sentence for a gateway status without a JSON body, `nil` for other statuses.
    static func gatewaySentence(status: Int) -> String? {
        switch status {
        case 502, 504: "the proxy in front of the server could not reach it — check that the server runs, then try again"
        case 503: "the server is unavailable right now — try again later"
        default: nil
        }
    }
}
