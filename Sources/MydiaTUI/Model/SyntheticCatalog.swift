import Foundation
public import MydiaAPI

/// A made-up catalogue of any size, decoded through the same Codable models as server answers.
/// For the benchmark (10 000 items) and tests; titles mix ASCII, accented and CJK text so width
/// handling is exercised.
public enum SyntheticCatalog {
    static let stems = ["Big Test Pattern", "Amélie à Paris", "東京物語", "Signal Hour", "Ñandú del Sur", "Colour Bars", "静かな夜", "Zoë’s Garage"]

    /// Pages of `count` movies, `pageSize` per page, chained by cursors like the server's.
    public static func moviePages(count: Int, pageSize: Int) throws -> [Connection<Movie>] {
        var pages: [Connection<Movie>] = []
        var start = 0
        repeat {
            let end = min(start + pageSize, count)
            let edges: [[String: Any]] = (start..<end).map { i in
                ["cursor": "c\(i)", "node": movieJSON(i)]
            }
            let page: [String: Any] = ["edges": edges, "totalCount": count,
                                       "pageInfo": ["hasNextPage": end < count, "endCursor": end > start ? "c\(end - 1)" as Any : NSNull() as Any]]
            pages.append(try JSONDecoder().decode(Connection<Movie>.self, from: JSONSerialization.data(withJSONObject: page)))
            start = end
        } while start < count
        return pages
    }

    /// One movie as the server's JSON would carry it.
    public static func movieJSON(_ i: Int, title: String? = nil, files: Int = 1) -> [String: Any] {
        [
            "id": "m\(i)", "title": title ?? "\(stems[i % stems.count]) \(i)", "year": 1950 + i % 70,
            "overview": "Synthetic movie number \(i), for long lists.", "runtime": 90 + i % 40, "genres": ["Drama"],
            "artwork": NSNull(), "progress": NSNull(),
            "files": (0..<files).map { f in
                ["id": "f\(i)-\(f)", "resolution": "1080p", "codec": "h264", "audioCodec": "aac", "size": 1.5e9, "bitrate": 8_000_000, "duration": 5400.0] as [String: Any]
            },
        ]
    }

    /// Decodes a model from a JSON object.
    public static func decode<T: Decodable>(_ type: T.Type, _ object: Any) throws -> T {
        try JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: object))
    }
}
