import Glibc

/// How much space a folder's file system has left for this user.
public struct FreeSpace: Sendable {
    /// Bytes available to an unprivileged writer in the file system holding `path`.
    public let available: @Sendable (_ path: String) throws -> Int64

    /// A probe (tests inject one that lies, to reach a real ENOSPC mid-way).
    public init(available: @escaping @Sendable (_ path: String) throws -> Int64) {
        self.available = available
    }

    /// `statvfs(2)` (as `fstatvfs` on the folder): `f_bavail × f_frsize`.
    public static let statvfs = FreeSpace { path in
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DownloadEngine.Error.storage("Could not open \(path): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var info = Glibc.statvfs()
        guard fstatvfs(fd, &info) == 0 else {
            throw DownloadEngine.Error.storage("Could not read the free space of \(path): \(String(cString: strerror(errno))).")
        }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// What is kept free beyond the file: metadata, subtitles, and room for the rest of the system.
    public static let margin: Int64 = 16 << 20
}
