import Foundation

/// A mode-0700 directory for mpv's IPC socket: under `$XDG_RUNTIME_DIR` when that is set and
/// usable, else a fresh private directory in the temp directory (PROTOCOL.md §12.22). Removed with
/// everything in it by ``remove()``.
struct PrivateRuntimeDirectory: Sendable {
    enum Error: Swift.Error, CustomStringConvertible {
        case cannotCreate(String)

        var description: String {
            switch self {
            case .cannotCreate(let why): "A private directory for the player's control socket could not be made: \(why)"
            }
        }
    }

    let path: String

    static func make(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PrivateRuntimeDirectory {
        var parents: [String] = []
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), FileManager.default.isWritableFile(atPath: runtime) {
            parents.append(runtime)
        }
        parents.append(NSTemporaryDirectory())
        var lastError = "no parent directory"
        for parent in parents {
            var template = Array((parent.hasSuffix("/") ? parent : parent + "/").utf8CString.dropLast()) + Array("mydia-mpv-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
                guard let result = mkdtemp(buffer.baseAddress!) else { return nil }
                return String(cString: result)
            }
            guard let made else {
                lastError = String(cString: strerror(errno))
                continue
            }
            // mkdtemp creates 0700 already; make sure no umask or ACL widened it.
            guard chmod(made, 0o700) == 0, made.utf8.count + 16 < 104 else {
                lastError = "the path is unusable for a socket"
                try? FileManager.default.removeItem(atPath: made)
                continue
            }
            return PrivateRuntimeDirectory(path: made)
        }
        throw Error.cannotCreate(lastError)
    }

    /// The IPC socket path inside the directory.
    var socketPath: String { path + "/mpv.sock" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
