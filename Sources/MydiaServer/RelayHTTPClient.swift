import Foundation
import MydiaWire
import NIOCore
import NIOPosix
import NIOSSL

/// The server's HTTP/1.1 client for the relay's claim API (PROTOCOL.md §3.2): one connection per
/// request with `connection: close`, TLS with the system roots plus the `--relay-ca` anchor
/// (§12.5). Answers are small JSON, so the whole response is read and parsed at once.
struct RelayHTTPClient: Sendable {
    /// Why an exchange failed.
    enum Error: Swift.Error, CustomStringConvertible {
        case transport(String)
        case malformedResponse

        var description: String {
            switch self {
            case .transport(let why): why
            case .malformedResponse: "the relay's answer is not HTTP/1.1"
            }
        }
    }

    /// Largest response read (claim answers are well under 8 KiB, §12.7).
    static let maxResponse = 64 * 1024
    /// SNI for an IP-literal relay: only an IP SAN can verify (as the client does, §13.22).
    static let ipLiteralSNI = "relay.invalid"

    let origin: RelayOrigin
    let context: NIOSSLContext?
    let timeout: Duration

    /// - Throws: when the extra trust anchor is not a PEM certificate.
    init(origin: RelayOrigin, extraTrustAnchorPEM: String?, timeout: Duration = .seconds(15)) throws {
        self.origin = origin
        self.timeout = timeout
        context = origin.isSecure ? try NIOSSLContext(configuration: RelayTLSConfiguration.make(extraTrustAnchorPEM: extraTrustAnchorPEM)) : nil
    }

    /// Sends one request and returns the status and body.
    func send(_ method: String, path: String, json: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        let authority = origin.host.contains(":") ? "[\(origin.host)]:\(origin.port)" : "\(origin.host):\(origin.port)"
        var head = "\(method) \(path) HTTP/1.1\r\nhost: \(authority)\r\nconnection: close\r\ncontent-length: \(json.count)\r\n"
        if !json.isEmpty { head += "content-type: application/json\r\n" }
        let request = Array((head + "\r\n").utf8) + json
        do {
            return try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                group.addTask { try await exchange(request) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw Error.transport("the relay did not answer within \(timeout)")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as Error {
            throw error
        } catch let error as NIOSSLError {
            throw Error.transport("TLS: \(error)")
        } catch {
            throw Error.transport("\(error)")
        }
    }

    private func exchange(_ request: [UInt8]) async throws -> (Int, [UInt8]) {
        let context = self.context
        let sni = (try? SocketAddress(ipAddress: origin.host, port: 0)) != nil ? Self.ipLiteralSNI : origin.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: origin.host, port: origin.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let raw: [UInt8] = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: request))
            var collected: [UInt8] = []
            do {
                for try await buffer in inbound {
                    collected += buffer.readableBytesView
                    guard collected.count <= Self.maxResponse else { throw Error.transport("the relay's answer is too large") }
                    if case .some(.some) = try? Self.parse(collected) { break }
                }
            } catch let error as NIOSSLError where error == .uncleanShutdown {
                // The relay closed without close_notify after a complete answer: the body is parsed below.
            }
            return collected
        }
        guard let parsed = try Self.parse(raw) else { throw Error.malformedResponse }
        return parsed
    }

    /// Parses a complete response; `nil` while more bytes are needed.
    static func parse(_ bytes: [UInt8]) throws -> (Int, [UInt8])? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { throw Error.malformedResponse }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return try dechunk(body).map { (status, $0) }
        }
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            return body.count >= length ? (status, Array(body.prefix(length))) : nil
        }
        return (status, body)  // no length: the body runs to the end of the connection
    }

    /// Decodes a chunked body; `nil` while the last chunk has not arrived.
    static func dechunk(_ body: [UInt8]) throws -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = body[i...].indices.dropLast().first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) else { return nil }
            let sizeText = String(decoding: body[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw Error.malformedResponse }
            let start = lineEnd + 2
            if size == 0 { return out }
            guard body.count >= start + size + 2 else { return nil }
            out += body[start..<start + size]
            i = start + size + 2
        }
    }
}

/// TLS toward the relay for the server: TLS 1.2+, full verification, system roots plus an optional
/// extra PEM anchor (§12.5).
enum RelayTLSConfiguration {
    static func make(extraTrustAnchorPEM: String?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let pem = extraTrustAnchorPEM {
            let anchors = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            guard !anchors.isEmpty else { throw RelayHTTPClient.Error.transport("the relay CA file holds no certificate") }
            tls.additionalTrustRoots = [.certificates(anchors)]
        }
        return tls
    }
}
