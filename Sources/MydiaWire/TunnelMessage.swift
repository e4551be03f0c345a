import Foundation

/// One JSON object on the tunnel's api channel (PROTOCOL.md §5.1, §11.12, §11.13, §12.13).
/// Unknown `t` values decode to `.unknown` and are ignored by both sides.
public enum TunnelMessage: Sendable, Equatable {
    case request(TunnelRequest)
    case response(TunnelResponse)
    /// Aborts a request or stream, from either side.
    case cancel(id: UInt32)
    case ping(n: UInt64)
    case pong(n: UInt64)
    /// Grants `bytes` more stream credit (an increment, §11.6).
    case credit(id: UInt32, bytes: UInt64)
    /// Asks the peer to rekey its transmit key at its next send (§11.12).
    case rekey
    case unknown(String)

    /// Why an api-channel frame is not a message.
    public enum DecodingError: Error, Equatable, Sendable {
        case notJSON
        case missingField(String)
        case badBodyEncoding
    }

    private struct Raw: Codable {
        var t: String
        var id: UInt32?
        var method: String?
        var path: String?
        var headers: [String: String]?
        var status: Int?
        var body: String?
        var enc: String?
        var stream: Bool?
        var n: UInt64?
        var bytes: UInt64?
    }

    /// The frame plaintext.
    public func encoded() -> [UInt8] {
        let raw: Raw
        switch self {
        case .request(let r):
            let (body, enc) = Self.encodeBody(r.body)
            raw = Raw(t: "req", id: r.id, method: r.method, path: r.path, headers: r.headers, body: body, enc: enc)
        case .response(let r):
            if r.isStreamed {
                raw = Raw(t: "res", id: r.id, headers: r.headers, status: r.status, stream: true)
            } else {
                let (body, enc) = Self.encodeBody(r.body)
                raw = Raw(t: "res", id: r.id, headers: r.headers, status: r.status, body: body, enc: enc)
            }
        case .cancel(let id): raw = Raw(t: "cancel", id: id)
        case .ping(let n): raw = Raw(t: "ping", n: n)
        case .pong(let n): raw = Raw(t: "pong", n: n)
        case .credit(let id, let bytes): raw = Raw(t: "credit", id: id, bytes: bytes)
        case .rekey: raw = Raw(t: "rekey")
        case .unknown(let t): raw = Raw(t: t)
        }
        return WireJSON.encode(raw)
    }

    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard let raw = try? WireJSON.decoder.decode(Raw.self, from: Data(bytes)) else { throw .notJSON }
        func need<T>(_ v: T?, _ name: String) throws(DecodingError) -> T {
            guard let v else { throw .missingField(name) }
            return v
        }
        switch raw.t {
        case "req":
            self = .request(TunnelRequest(
                id: try need(raw.id, "id"), method: try need(raw.method, "method"), path: try need(raw.path, "path"),
                headers: Self.lowercased(raw.headers), body: try Self.decodeBody(raw.body, raw.enc)))
        case "res":
            let headers = Self.lowercased(raw.headers)
            if raw.stream == true {
                self = .response(TunnelResponse(id: try need(raw.id, "id"), status: try need(raw.status, "status"), headers: headers, streamed: true))
            } else {
                self = .response(TunnelResponse(
                    id: try need(raw.id, "id"), status: try need(raw.status, "status"), headers: headers,
                    body: try Self.decodeBody(raw.body, raw.enc)))
            }
        case "cancel": self = .cancel(id: try need(raw.id, "id"))
        case "ping": self = .ping(n: try need(raw.n, "n"))
        case "pong": self = .pong(n: try need(raw.n, "n"))
        case "credit": self = .credit(id: try need(raw.id, "id"), bytes: try need(raw.bytes, "bytes"))
        case "rekey": self = .rekey
        default: self = .unknown(raw.t)
        }
    }

    /// Text bodies travel as UTF-8, anything else as base64 (§5.1).
    private static func encodeBody(_ body: [UInt8]) -> (String?, String?) {
        if body.isEmpty { return (nil, nil) }
        if let text = String(validating: body, as: UTF8.self) { return (text, "utf8") }
        return (Data(body).base64EncodedString(), "base64")
    }

    private static func decodeBody(_ body: String?, _ enc: String?) throws(DecodingError) -> [UInt8] {
        guard let body else { return [] }  // no body = empty (§12.13)
        switch enc ?? "utf8" {
        case "utf8": return Array(body.utf8)
        case "base64":
            guard let data = Data(base64Encoded: body) else { throw .badBodyEncoding }
            return Array(data)
        default: throw .badBodyEncoding
        }
    }

    /// Header names are lowercase on the tunnel (§12.13).
    private static func lowercased(_ headers: [String: String]?) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in headers ?? [:] {
            let key = k.lowercased()
            out[key] = out[key].map { "\($0), \(v)" } ?? v
        }
        return out
    }
}

/// An HTTP-shaped request through the tunnel (§5.1): `path` is origin-form with query.
public struct TunnelRequest: Sendable, Equatable {
    public var id: UInt32
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(id: UInt32, method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.id = id
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// A response: inline with its body, or the head of a stream whose bytes follow as media frames.
public struct TunnelResponse: Sendable, Equatable {
    public var id: UInt32
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    public var isStreamed: Bool

    /// An inline response.
    public init(id: UInt32, status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.id = id
        self.status = status
        self.headers = headers
        self.body = body
        isStreamed = false
    }

    /// The head of a streamed response.
    public init(id: UInt32, status: Int, headers: [String: String] = [:], streamed: Bool) {
        self.id = id
        self.status = status
        self.headers = headers
        body = []
        isStreamed = streamed
    }
}
