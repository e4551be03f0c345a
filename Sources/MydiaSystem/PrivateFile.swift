import Glibc
public import Logging

/// Owner-only files for secrets: a 0700 directory, files written atomically (temp file created
/// 0600 with `O_CREAT|O_EXCL`, fsync, rename, fsync of the directory), so a reader sees either the
/// old or the new content and no other user can read either at any moment. The client keeps its
/// credentials this way and the server its state directory (identity, keys, database).
public enum PrivateFile {
    /// Why a private file operation failed; `description` is one plain sentence.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case system(operation: String, path: String, errno: Int32)
        case notARegularFile(path: String)
        case notADirectory(path: String)
        case foreignOwner(path: String)

        public var description: String {
            switch self {
            case .system(let operation, let path, let code):
                "Could not \(operation) \(path): \(String(cString: strerror(code)))."
            case .notARegularFile(let path):
                "\(path) is not a regular file — move it away."
            case .notADirectory(let path):
                "\(path) is not a directory — move it away so the files can be stored."
            case .foreignOwner(let path):
                "\(path) belongs to another user, so it is not trusted — move it away."
            }
        }
    }

    /// Creates `path` (and missing parents) with mode 0700; tightens an existing directory that
    /// others can reach, with a warning; refuses one that belongs to another user or is a symlink.
    public static func ensureDirectory(_ path: String, logger: Logger) throws(Failure) {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw .system(operation: "inspect", path: path, errno: errno) }
            let parent = parentOf(path)
            if parent != path, !parent.isEmpty { try ensureParent(parent) }
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw .system(operation: "create", path: path, errno: errno) }
            guard lstat(path, &info) == 0 else { throw .system(operation: "inspect", path: path, errno: errno) }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: path) }
        guard info.st_uid == geteuid() else { throw .foreignOwner(path: path) }
        if info.st_mode & 0o077 != 0 {
            logger.warning("Private directory was accessible to other users; restricting it to the owner (0700).",
                           metadata: ["path": "\(path)"])
            guard chmod(path, 0o700) == 0 else { throw .system(operation: "restrict", path: path, errno: errno) }
        }
    }

    /// Parents of the credential directory are created with the usual 0755 (like `mkdir -p`).
    private static func ensureParent(_ path: String) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 { return }
        let parent = parentOf(path)
        if parent != path, !parent.isEmpty { try ensureParent(parent) }
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw .system(operation: "create", path: path, errno: errno) }
    }

    private static func parentOf(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Reads a whole file, or `nil` when it does not exist. Symlinks and files owned by another
    /// user are refused; a file others can
    /// read or write is restricted to 0600 with a warning before its content is used.
    public static func read(_ path: String, logger: Logger) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .notARegularFile(path: path) }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "inspect", path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        guard info.st_uid == geteuid() else { throw .foreignOwner(path: path) }
        if info.st_mode & 0o077 != 0 {
            logger.warning("Private file was readable by other users; restricting it to the owner (0600).",
                           metadata: ["path": "\(path)"])
            guard fchmod(fd, 0o600) == 0 else { throw .system(operation: "restrict", path: path, errno: errno) }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Creates `path` with `bytes` (mode 0600, complete and flushed before it appears) unless it
    /// exists. - Returns: `false` when another file was there first (it is left alone).
    public static func createExclusively(_ bytes: [UInt8], at path: String) throws(Failure) -> Bool {
        let temp = try writeTemporary(bytes, beside: path)
        defer { unlink(temp) }
        if link(temp, path) != 0 {
            if errno == EEXIST { return false }
            throw .system(operation: "create", path: path, errno: errno)
        }
        try syncDirectory(of: path)
        return true
    }

    /// Replaces `path` atomically with `bytes`, mode 0600 from the first byte on.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(Failure) {
        let temp = try writeTemporary(bytes, beside: path)
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw .system(operation: "replace", path: path, errno: code)
        }
        try syncDirectory(of: path)
    }

    private static func syncDirectory(of path: String) throws(Failure) {
        let directory = parentOf(path).isEmpty ? "." : parentOf(path)
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw .system(operation: "open", path: directory, errno: errno) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw .system(operation: "flush", path: directory, errno: errno) }
    }

    /// A new 0600 file beside `path` holding `bytes`, flushed; returns its path.
    private static func writeTemporary(_ bytes: [UInt8], beside path: String) throws(Failure) -> String {
        var temp = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            let suffix = (0..<12).map { _ in String(UInt8.random(in: 0...35), radix: 36) }.joined()
            temp = "\(path).tmp-\(suffix)"
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw .system(operation: "create", path: temp, errno: errno) }
        var keepTemp = false
        defer { if !keepTemp { unlink(temp) } }
        do {
            defer { close(fd) }
            // The umask can only remove bits; make the mode exact in case the temp was created looser.
            guard fchmod(fd, 0o600) == 0 else { throw Failure.system(operation: "restrict", path: temp, errno: errno) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure.system(operation: "write", path: temp, errno: errno)
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw Failure.system(operation: "flush", path: temp, errno: errno) }
        }
        keepTemp = true
        return temp
    }
}
