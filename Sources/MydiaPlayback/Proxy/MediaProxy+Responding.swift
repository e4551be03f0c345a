import Logging
import MydiaConnection
import NIOCore
import NIOHTTP1

extension MediaProxy {
    /// Request headers the proxy forwards upstream (§10: `Range`; §12.16: `If-Range`).
    static let forwardedRequestHeaders = ["range", "if-range"]
    /// Response headers the player gets; hop-by-hop and anything else stays behind.
    static let forwardedResponseHeaders = [
        "content-type", "content-length", "content-range", "accept-ranges", "etag", "last-modified", "retry-after",
    ]
    /// A playlist larger than this is refused rather than held in memory (real ones are a few KiB).
    static let playlistLimit = 4 << 20
    /// How often a playlist fetch is tried before the player gets a 502.
    static let playlistAttempts = 3

    /// Answers one request; returns whether the connection stays open for the next one.
    func respond(to head: HTTPRequestHead, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        let keepAlive = head.isKeepAlive
        guard ProxyHost.isAllowed(head.headers.first(name: "host")) else {
            count { $0.refused += 1; $0.requests += 1 }
            logger.notice("proxy refused a request with a foreign Host header")
            try await writeError(403, "The proxy only answers requests for 127.0.0.1 or localhost.", keepAlive: keepAlive, outbound: outbound)
            return keepAlive
        }
        let route: ProxyRoute
        do {
            route = try ProxyRoute(target: head.uri, prefix: prefix)
        } catch {
            count { $0.refused += 1; $0.requests += 1 }
            logger.notice("proxy refused a request", metadata: ["reason": "\(error)"])
            try await writeError(error.status, error.description, keepAlive: keepAlive, outbound: outbound)
            return keepAlive
        }
        guard head.method == .GET || head.method == .HEAD else {
            count { $0.refused += 1; $0.requests += 1 }
            try await writeError(405, "The proxy only serves GET and HEAD.", keepAlive: keepAlive, outbound: outbound)
            return keepAlive
        }
        var headers: [String: String] = [:]
        for name in Self.forwardedRequestHeaders {
            if let value = head.headers.first(name: name) { headers[name] = value }
        }
        let request = PathRequest(method: head.method.rawValue, path: route.upstreamTarget, headers: headers)
        count { $0.requests += 1 }
        logger.trace("proxy request", metadata: ["what": "\(route.logName)", "range": "\(headers["range"] ?? "-")"])
        if route.isPlaylist {
            return try await respondWithPlaylist(request, route: route, keepAlive: keepAlive, isHead: head.method == .HEAD, outbound: outbound)
        }
        return try await respondStreaming(request, route: route, keepAlive: keepAlive, isHead: head.method == .HEAD, outbound: outbound)
    }

    /// Streams a segment or file body chunk by chunk; each write waits while the player's socket
    /// is full, so memory stays bounded whatever the body's size.
    private func respondStreaming(_ request: PathRequest, route: ProxyRoute, keepAlive: Bool, isHead: Bool,
                                  outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        let response: PathResponse
        do {
            response = try await upstream.send(request)
        } catch {
            logger.warning("proxy upstream request failed", metadata: ["what": "\(route.logName)", "error": "\(error)"])
            try await writeError(502, "The media server could not be reached.", keepAlive: keepAlive, outbound: outbound)
            return keepAlive
        }
        logger.debug("proxy", metadata: ["what": "\(route.logName)", "status": "\(response.status)",
                                         "range": "\(request.headers["range"] ?? "-")"])
        try await outbound.write(.head(responseHead(status: response.status, headers: response.headers, keepAlive: keepAlive)))
        if isHead {
            try await outbound.write(.end(nil))
            return keepAlive
        }
        do {
            for try await chunk in response.body where !chunk.isEmpty {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                count { $0.bytesServed += chunk.count }
            }
        } catch let error as ConnectionManager.Error {
            // The body could not be continued on any path: close, so the player sees a short body
            // (and retries by Range) rather than a body that silently claims to be complete.
            count { $0.truncated += 1 }
            logger.warning("proxy response cut", metadata: ["what": "\(route.logName)", "error": "\(error)"])
            return false
        } catch {
            return false  // the player went away, or the proxy is stopping
        }
        try await outbound.write(.end(nil))
        return keepAlive
    }

    /// Fetches a playlist whole (bounded), retrying on a path failure, rewrites absolute URIs if
    /// there are any, and answers with a `content-length`.
    private func respondWithPlaylist(_ request: PathRequest, route: ProxyRoute, keepAlive: Bool, isHead: Bool,
                                     outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        var lastError: (any Swift.Error)?
        for attempt in 1...Self.playlistAttempts {
            do {
                var get = request
                get.method = "GET"
                let response = try await upstream.send(get)
                var body: [UInt8] = []
                for try await chunk in response.body {
                    body += chunk
                    guard body.count <= Self.playlistLimit else {
                        try await writeError(502, "The playlist is too large.", keepAlive: keepAlive, outbound: outbound)
                        return keepAlive
                    }
                }
                if response.status == 200 { body = PlaylistRewriter.rewrite(body, prefix: prefix) }
                var headers = response.headers
                headers["content-length"] = String(body.count)
                headers["content-range"] = nil
                logger.debug("proxy", metadata: ["what": "\(route.logName)", "status": "\(response.status)"])
                try await outbound.write(.head(responseHead(status: response.status, headers: headers, keepAlive: keepAlive)))
                if !isHead {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                    count { $0.bytesServed += body.count }
                }
                try await outbound.write(.end(nil))
                return keepAlive
            } catch is CancellationError {
                return false
            } catch {
                lastError = error
                logger.info("playlist fetch failed; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
        }
        logger.warning("proxy playlist unavailable", metadata: ["error": "\(lastError.map { "\($0)" } ?? "-")"])
        try await writeError(502, "The media server could not be reached.", keepAlive: keepAlive, outbound: outbound)
        return keepAlive
    }

    private func responseHead(status: Int, headers: [String: String], keepAlive: Bool) -> HTTPResponseHead {
        var fields = HTTPHeaders()
        for name in Self.forwardedResponseHeaders {
            if let value = headers[name] { fields.add(name: name, value: value) }
        }
        if fields["content-length"].isEmpty, status == 204 || status == 304 { fields.add(name: "content-length", value: "0") }
        fields.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
    }

    private func writeError(_ status: Int, _ message: String, keepAlive: Bool,
                            outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let body = Array((message + "\n").utf8)
        var fields = HTTPHeaders()
        fields.add(name: "content-type", value: "text/plain; charset=utf-8")
        fields.add(name: "content-length", value: String(body.count))
        fields.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }
}
