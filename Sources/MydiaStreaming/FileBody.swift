import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A region of an open file, delivered as byte chunks of at most `chunkSize` bytes.
///
/// The file is opened when the response is built (so its `etag` and length describe exactly the
/// bytes served, even if the path is replaced or unlinked afterwards) and closed when the last copy
/// of the body goes away. Each iteration `pread`s one chunk, so memory stays bounded by the chunk
/// size whatever the file size. Reads run on a Dispatch worker thread. Iterating twice replays the
/// region from the start.
public struct FileBody: AsyncSequence, Sendable {
    /// One chunk of file bytes.
    public typealias Element = [UInt8]

    /// The default chunk size: 64 KiB.
    public static let defaultChunkSize = 64 * 1024

    /// Failure to read the file after it was opened.
    public struct ReadError: Swift.Error, CustomStringConvertible {
        /// The `errno` of the failed read.
        public let code: Int32
        /// What went wrong, in one sentence.
        public var description: String { "Reading the media file failed (errno \(code))." }
    }

    let descriptor: FileDescriptor
    /// The first byte offset served.
    public let offset: Int
    /// The number of bytes served.
    public let length: Int
    /// The largest chunk this body yields.
    public let chunkSize: Int

    init(descriptor: FileDescriptor, offset: Int, length: Int, chunkSize: Int) {
        self.descriptor = descriptor
        self.offset = Swift.max(0, offset)
        self.length = Swift.max(0, length)
        self.chunkSize = Swift.max(1, chunkSize)
    }

    /// The same region read in chunks of `size` bytes (each carrier reads in the size it sends:
    /// the relay tunnel in whole media frames, PROTOCOL.md §13.10).
    public func readingChunks(of size: Int) -> FileBody {
        FileBody(descriptor: descriptor, offset: offset, length: length, chunkSize: size)
    }

    /// Makes an iterator that starts at ``offset``.
    public func makeAsyncIterator() -> Iterator {
        Iterator(descriptor: descriptor, position: offset, remaining: length, chunkSize: chunkSize)
    }

    /// Reads the region chunk by chunk.
    public struct Iterator: AsyncIteratorProtocol {
        let descriptor: FileDescriptor
        var position: Int
        var remaining: Int
        let chunkSize: Int

        /// The next chunk, or `nil` after the last byte of the region.
        /// - Throws: ``FileBody/ReadError`` on an I/O error, or when the file shrank under us.
        public mutating func next() async throws -> [UInt8]? {
            guard remaining > 0 else { return nil }
            try Task.checkCancellation()
            let chunk = try await FileBody.read(descriptor, at: position, count: Swift.min(chunkSize, remaining))
            position += chunk.count
            remaining -= chunk.count
            return chunk
        }
    }

    /// Reads exactly `count` bytes at `offset` on a Dispatch worker: a slow disk blocks that
    /// thread, never one of the few threads of Swift's cooperative pool.
    static func read(_ descriptor: FileDescriptor, at offset: Int, count: Int) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try readBlocking(descriptor, at: offset, count: count) })
            }
        }
    }

    private static func readBlocking(_ descriptor: FileDescriptor, at offset: Int, count want: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
            count = 0
            while count < want {
                let n = pread(descriptor.fd, buffer.baseAddress! + count, want - count, off_t(offset + count))
                if n > 0 {
                    count += n
                } else if n == 0 {
                    // The file was truncated after we promised a content-length: fail loudly
                    // rather than send a short body.
                    throw ReadError(code: EIO)
                } else if errno != EINTR {
                    throw ReadError(code: errno)
                }
            }
        }
    }
}

/// An open, read-only file descriptor closed on deinit. `fd` is immutable after init and `pread`
/// takes explicit offsets, so sharing it between tasks is safe.
final class FileDescriptor: Sendable {
    let fd: Int32

    /// Opens `path` read-only; `nil` with `errno` set when that fails.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }
}
