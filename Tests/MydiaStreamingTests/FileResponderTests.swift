import Foundation
import MydiaStreaming
import Testing

@Suite final class FileResponderTests: Sendable {
    let size = 100_000
    let file: URL
    let expected: [UInt8]

    init() throws {
        file = try TestMedia.patternFile(count: size)
        expected = (0..<size).map { UInt8($0 % 251) }
    }

    // Swift Testing makes one suite instance per test, so each test's file goes with its instance.
    deinit { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }

    func get(_ headers: [String: String] = [:], method: StreamingMethod = .get, chunkSize: Int = 16 * 1024)
        -> APIResponse
    {
        FileResponder.response(fileURL: file, method: method, headers: headers, chunkSize: chunkSize)
    }

    @Test func wholeFileWithoutRange() async throws {
        let response = get()
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "\(size)")
        #expect(response.headers["accept-ranges"] == "bytes")
        #expect(response.headers["content-type"] == "video/mp4")
        #expect(response.headers["content-range"] == nil)
        #expect(try await response.collect().bytes == expected)
    }

    @Test func singleRangeIs206WithContentRange() async throws {
        let response = get(["Range": "bytes=1000-1999"])
        #expect(response.status == 206)
        #expect(response.headers["content-range"] == "bytes 1000-1999/\(size)")
        #expect(response.headers["content-length"] == "1000")
        #expect(try await response.collect().bytes == Array(expected[1000...1999]))
    }

    @Test func openAndSuffixRanges() async throws {
        let open = get(["range": "bytes=99990-"])
        #expect(open.status == 206)
        #expect(open.headers["content-range"] == "bytes 99990-99999/\(size)")
        #expect(try await open.collect().bytes == Array(expected[99990...]))
        let suffix = get(["range": "bytes=-10"])
        #expect(suffix.headers["content-range"] == "bytes 99990-99999/\(size)")
        #expect(try await suffix.collect().bytes == Array(expected[99990...]))
        let clamped = get(["range": "bytes=99000-200000"])
        #expect(clamped.headers["content-range"] == "bytes 99000-99999/\(size)")
        #expect(clamped.headers["content-length"] == "1000")
    }

    @Test func multiRangeGetsTheWholeBody() async throws {
        let response = get(["range": "bytes=0-9,20-29"])
        #expect(response.status == 200)
        #expect(response.headers["content-range"] == nil)
        #expect(response.headers["content-length"] == "\(size)")
        #expect(try await response.collect().bytes == expected)
    }

    @Test func unsatisfiableRangeIs416WithSize() async throws {
        let response = get(["range": "bytes=\(size)-"])
        #expect(response.status == 416)
        #expect(response.headers["content-range"] == "bytes */\(size)")
        let body = try await response.collect().bytes
        #expect(response.headers["content-length"] == "\(body.count)")
        #expect(String(decoding: body, as: UTF8.self).contains("range_not_satisfiable"))
    }

    @Test func malformedRangeIsIgnored() async throws {
        let response = get(["range": "bytes=9-3"])
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "\(size)")
    }

    @Test func etagIsStrongAndStableAndChangesWithTheFile() throws {
        let first = try #require(get().headers["etag"])
        #expect(first.hasPrefix("\"") && first.hasSuffix("\"") && !first.hasPrefix("W/"))
        #expect(get(["range": "bytes=0-1"]).headers["etag"] == first)
        #expect(get(method: .head).headers["etag"] == first)
        try Data(repeating: 7, count: size + 1).write(to: file)
        #expect(get().headers["etag"] != first)
    }

    @Test func ifRangeMatchingEtagHonoursTheRange() async throws {
        let etag = try #require(get().headers["etag"])
        let response = get(["range": "bytes=10-19", "if-range": etag])
        #expect(response.status == 206)
        #expect(try await response.collect().bytes == Array(expected[10...19]))
    }

    @Test(arguments: ["\"stale\"", "W/\"x\"", "Sun, 06 Nov 1994 08:49:37 GMT"])
    func ifRangeMismatchSendsTheWholeBody(_ ifRange: String) async throws {
        let response = get(["range": "bytes=10-19", "if-range": ifRange])
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == "\(size)")
        #expect(try await response.collect().bytes == expected)
    }

    @Test func headHasGetHeadersAndNoBody() async throws {
        let head = get(["range": "bytes=0-99"], method: .head)
        let getResponse = get(["range": "bytes=0-99"])
        #expect(head.status == 206)
        #expect(head.headers == getResponse.headers)
        guard case .bytes(let bytes) = head.body, bytes.isEmpty else {
            Issue.record("HEAD must not carry a body")
            return
        }
    }

    @Test func bodyIsReadInBoundedChunks() async throws {
        let big = try TestMedia.patternFile(count: 1_000_000)
        defer { try? FileManager.default.removeItem(at: big.deletingLastPathComponent()) }
        let response = FileResponder.response(fileURL: big, method: .get, headers: [:], chunkSize: 4096)
        let (bytes, chunks) = try await response.collect()
        #expect(bytes.count == 1_000_000)
        #expect(chunks.allSatisfy { $0 <= 4096 })
        #expect(chunks.count == (1_000_000 + 4095) / 4096)
        #expect(bytes == (0..<1_000_000).map { UInt8($0 % 251) })
    }

    @Test func bodyServesTheOpenedFileEvenIfItIsUnlinked() async throws {
        let response = get(["range": "bytes=0-99"])
        try FileManager.default.removeItem(at: file)
        #expect(try await response.collect().bytes == Array(expected[0...99]))
    }

    @Test func fileTruncatedMidResponseFailsInsteadOfSendingShortBody() async throws {
        let response = get()
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 10)
        try handle.close()
        await #expect(throws: FileBody.ReadError.self) { try await response.collect() }
    }

    /// The body of a `.file` response, as the server streams it.
    func pulled(_ response: APIResponse) throws -> AsyncThrowingStream<[UInt8], any Error> {
        guard case .file(let body) = response.body else { throw CancellationError() }
        return body.pulledStream()
    }

    @Test func pulledStreamYieldsTheRegionInChunks() async throws {
        var chunks: [[UInt8]] = []
        for try await chunk in try pulled(get(["range": "bytes=100-60099"], chunkSize: 16 * 1024)) { chunks.append(chunk) }
        #expect(chunks.map(\.count) == [16_384, 16_384, 16_384, 10_848])
        #expect(Array(chunks.joined()) == Array(expected[100...60_099]))
    }

    @Test func pulledStreamReadsAtMostOneChunkAhead() async throws {
        // After the first chunk is taken, only the second may have been read: bytes written to
        // the third chunk's region before the consumer asks again are what it receives.
        let chunk = 10_000
        var iterator = try pulled(get(chunkSize: chunk)).makeAsyncIterator()
        #expect(try await iterator.next() == Array(expected[0..<chunk]))
        let handle = try FileHandle(forWritingTo: file)
        try handle.seek(toOffset: UInt64(2 * chunk))
        try handle.write(contentsOf: Data(repeating: 0xEE, count: size - 2 * chunk))
        try handle.close()
        #expect(try await iterator.next() == Array(expected[chunk..<2 * chunk]))
        var rest: [UInt8] = []
        while let next = try await iterator.next() { rest += next }
        #expect(rest == [UInt8](repeating: 0xEE, count: size - 2 * chunk))
    }

    @Test func pulledStreamFailsWhenTheFileShrinks() async throws {
        let stream = try pulled(get(chunkSize: 1_000))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 10)
        try handle.close()
        await #expect(throws: FileBody.ReadError.self) { for try await _ in stream {} }
    }

    @Test func missingFileOrFolderIs404() {
        #expect(FileResponder.response(path: "/nonexistent/x.mp4", method: .get, headers: [:]).status == 404)
        #expect(FileResponder.response(path: TestMedia.folder.path, method: .get, headers: [:]).status == 404)
    }

    @Test func contentTypesByExtension() {
        #expect(MediaContentType.forFileName("index.m3u8") == "application/vnd.apple.mpegurl")
        #expect(MediaContentType.forFileName("seg00001.ts") == "video/mp2t")
        #expect(MediaContentType.forFileName("a/b/chunk.m4s") == "video/iso.segment")
        #expect(MediaContentType.forFileName("Movie.MP4") == "video/mp4")
        #expect(MediaContentType.forFileName("x.mkv") == "video/x-matroska")
        #expect(MediaContentType.forFileName("x.webm") == "video/webm")
        #expect(MediaContentType.forFileName("noext") == "application/octet-stream")
    }
}
