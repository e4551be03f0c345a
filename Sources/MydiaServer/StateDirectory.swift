public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The server's state directory (mode 0700): identity, TLS material and the SQLite database.
/// Secrets are written atomically (temporary file, fsync, rename) with mode 0600 from the start,
/// so no window exists in which another user could read them.
public struct StateDirectory: Sendable {
    /// Why the state directory cannot be used.
    public enum Error: Swift.Error, CustomStringConvertible {
        case cannotCreate(String, Int32)
        case cannotWrite(String, Int32)

        public var description: String {
            switch self {
            case .cannotCreate(let p, let e): "Cannot create the state directory \(p): \(String(cString: strerror(e)))."
            case .cannotWrite(let p, let e): "Cannot write \(p): \(String(cString: strerror(e)))."
            }
        }
    }

    public let url: URL

    /// Creates the directory (and parents) if needed and tightens it to 0700.
    public init(path: String) throws(Error) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(url.path, errno)
        }
        chmod(url.path, 0o700)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` to `name` atomically with `mode` (0600 for secrets).
    public func write(_ data: Data, to name: String, mode: mode_t = 0o600) throws(Error) {
        let final = file(name).path
        let temp = final + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .cannotWrite(final, errno) }
        var ok = data.withUnsafeBytes { buf -> Bool in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress!.advanced(by: offset), buf.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let saved = errno
        close(fd)
        guard ok, rename(temp, final) == 0 else {
            let e = ok ? errno : saved
            unlink(temp)
            throw .cannotWrite(final, e)
        }
    }

    /// The file's contents, or `nil` if it does not exist.
    public func read(_ name: String) -> Data? {
        try? Data(contentsOf: file(name))
    }
}
