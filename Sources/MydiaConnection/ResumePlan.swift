/// How a cut body continues: the one place that decides the `Range` (and `If-Range`) of the rest
/// and checks the answer continues the body (PROTOCOL.md §8.5, §12.16), for ``ResponseBodyReader``.
enum ResumePlan: Equatable {
    /// Nothing was delivered: the same request again.
    case whole
    /// `Range: bytes=start-end` (absolute offsets in the representation).
    case range(start: Int, end: Int?, ifRange: String?)

    /// Whether a body can be continued part-way at all: a `GET` that is not a playlist
    /// (PROTOCOL.md §12.16: playlists are re-fetched whole, never resumed).
    static func canContinuePartWay(_ request: PathRequest, head: PathResponse) -> Bool {
        let pathOnly = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let contentType = head.headers["content-type"]?.lowercased() ?? ""
        return request.method == "GET" && !pathOnly.hasSuffix(".m3u8") && !contentType.contains("mpegurl")
    }

    static func make(request: PathRequest, head: PathResponse, delivered: Int) throws -> ResumePlan {
        guard canContinuePartWay(request, head: head) else {
            throw ConnectionManager.Error.resumeFailed("this response cannot be resumed part-way")
        }
        let etag = head.headers["etag"].flatMap { $0.hasPrefix("W/") ? nil : $0 }
        switch head.status {
        case 200:
            return .range(start: delivered, end: nil, ifRange: etag)
        case 206:
            guard let range = head.headers["content-range"].flatMap(ContentRange.init) else {
                throw ConnectionManager.Error.resumeFailed("the partial response had no usable content-range")
            }
            return .range(start: range.first + delivered, end: range.last, ifRange: etag)
        default:
            throw ConnectionManager.Error.resumeFailed("HTTP \(head.status) responses are not resumed")
        }
    }

    /// Checks the resumed response continues the body; returns how many leading bytes to drop.
    func validate(_ response: PathResponse, originalStatus: Int, delivered: Int) throws -> Int {
        switch self {
        case .whole:
            guard response.status == originalStatus else {
                throw ConnectionManager.Error.resumeFailed("the repeated request answered HTTP \(response.status)")
            }
            return 0
        case .range(let start, _, let ifRange):
            if response.status == 206,
               let range = response.headers["content-range"].flatMap(ContentRange.init), range.first == start {
                return 0
            }
            // A server without range support sends the whole body again; without a validator
            // (If-Range) a 200 is the same representation, so skip what was delivered.
            if response.status == 200, ifRange == nil, originalStatus == 200 {
                return delivered
            }
            throw ConnectionManager.Error.resumeFailed("the resumed request answered HTTP \(response.status)")
        }
    }
}

/// `content-range: bytes first-last/total` (total may be `*`): the client's one parser of it.
struct ContentRange: Equatable {
    let first: Int
    let last: Int

    init?(_ header: String) {
        let trimmed = header.trimmingPrefix("bytes ")
        guard trimmed.count < header.count else { return nil }
        let parts = trimmed.split(separator: "/", maxSplits: 1)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1) ?? []
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0, last >= first else { return nil }
        self.first = first
        self.last = last
    }
}
