import NIOCore
public import NIOHTTP1

/// Request heads and whole requests as a client of either peer builds them.
public enum HTTPRequestHeadBuilder {
    /// A whole request as the parts one `write(contentsOf:)` sends in a single flush.
    public static func parts(_ head: HTTPRequestHead, body: [UInt8]) -> [HTTPClientRequestPart] {
        var parts: [HTTPClientRequestPart] = [.head(head)]
        if !body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        parts.append(.end(nil))
        return parts
    }

    /// A `GET` of `path` with a `host` header.
    public static func get(path: String, host: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "host", value: host)
        return head
    }
}
