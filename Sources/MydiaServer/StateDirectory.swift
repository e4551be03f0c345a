public import Foundation
public import Logging
public import MydiaSystem
#if canImport(Glibc)
import Glibc
#endif

/// The server's state directory (mode 0700, owned by the user running the server): identity, TLS
/// material and the SQLite database. Secrets are written atomically with mode 0600 from the first
/// byte (``PrivateFile``: a temporary created with `O_EXCL|O_NOFOLLOW`, fsync, rename), so no window
/// exists in which another user could read them or swap a symlink in.
public struct StateDirectory: Sendable {
    /// Why the state directory cannot be used.
    public enum Error: Swift.Error, CustomStringConvertible {
        case cannotCreate(String, Int32)
        case cannotWrite(String, Int32)
        /// Owned by another user, a symlink, or not a directory/regular file.
        case untrusted(PrivateFile.Failure)

        public var description: String {
            switch self {
            case .cannotCreate(let p, let e): "Cannot create the state directory \(p): \(String(cString: strerror(e)))."
            case .cannotWrite(let p, let e): "Cannot write \(p): \(String(cString: strerror(e)))."
            case .untrusted(let failure): "The state directory cannot be used: \(failure.description)"
            }
        }
    }

    public let url: URL

    /// Creates the directory (and parents) if needed and tightens it to 0700 (with a warning);
    /// refuses one that another user owns.
    public init(path: String, logger: Logger = Logger(label: "mydia.state")) throws(Error) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        do {
            try PrivateFile.ensureDirectory(url.path, logger: logger)
        } catch {
            if case .system(_, _, let code) = error { throw .cannotCreate(url.path, code) }
            throw .untrusted(error)
        }
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` to `name` atomically, mode 0600.
    public func write(_ data: Data, to name: String) throws(Error) {
        do {
            try PrivateFile.writeAtomically(Array(data), to: file(name).path)
        } catch {
            if case .system(_, _, let code) = error { throw .cannotWrite(file(name).path, code) }
            throw .untrusted(error)
        }
    }

    /// The file's contents, or `nil` if it does not exist.
    public func read(_ name: String) -> Data? {
        try? Data(contentsOf: file(name))
    }
}
