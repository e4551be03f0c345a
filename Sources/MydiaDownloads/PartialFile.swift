import Foundation
import Glibc

/// The bytes of a download in progress, `media.part`, opened 0600 for appending: created with
/// `O_EXCL|O_NOFOLLOW` or reopened; writes report a full disk as ``Failure/diskFull``.
/// `@unchecked Sendable`: one engine task owns it and calls it one at a time.
final class PartialFile: @unchecked Sendable {
    enum Failure: Swift.Error {
        /// `ENOSPC`/`EDQUOT`: the disk (or quota) is full.
        case diskFull
        /// Any other system error, as one sentence.
        case system(String)
    }

    let path: String
    private let fd: Int32
    /// Bytes in the file.
    private(set) var size: Int64

    /// Opens (or creates) `path` for appending at its end.
    init(path: String) throws(Failure) {
        self.path = path
        var fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0, errno == ENOENT { fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw .system("Could not open \(path): \(String(cString: strerror(errno))).") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
            close(fd)
            throw .system("\(path) is not a file this user owns — remove it and download again.")
        }
        if info.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
        self.fd = fd
        self.size = Int64(info.st_size)
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw .system("Could not seek in \(path): \(String(cString: strerror(errno))).") }
    }

    deinit { close(fd) }

    /// Appends `bytes`.
    func append(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC || errno == EDQUOT { throw .diskFull }
                throw .system("Could not write \(path): \(String(cString: strerror(errno))).")
            }
            offset += n
            size += Int64(n)
        }
    }

    /// Empties the file (the server's file changed: start over).
    func truncate() throws(Failure) {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw .system("Could not empty \(path): \(String(cString: strerror(errno))).")
        }
        size = 0
    }

    /// Flushes the bytes to the disk (before the rename that makes them visible).
    func sync() throws(Failure) {
        if fsync(fd) != 0 {
            if errno == ENOSPC || errno == EDQUOT { throw .diskFull }
            throw .system("Could not flush \(path): \(String(cString: strerror(errno))).")
        }
    }
}

/// An exclusive `flock` on a download's lock file, so two processes never write one partial file.
/// `@unchecked Sendable`: the descriptor is only closed, once, by `release`.
final class DownloadLock: @unchecked Sendable {
    private var fd: Int32

    /// Takes the lock, or returns nil when another process holds it.
    init?(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DownloadEngine.Error.storage("Could not open \(path): \(String(cString: strerror(errno))).") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// `partial.json`: which server file the partial bytes belong to.
struct PartialState: Codable, Equatable {
    var fileId: String
    var etag: String
    var totalBytes: Int64
}
