public import Foundation

/// The ffmpeg and ffprobe executables the streaming module runs.
public struct FFmpegTools: Sendable {
    /// Why the tools could not be found.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// No usable executable with this name.
        case notFound(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .notFound(let name):
                "\(name) was not found or is not executable — install ffmpeg (it provides ffmpeg and ffprobe) or set its path in the server configuration."
            }
        }
    }

    /// The ffmpeg executable.
    public let ffmpeg: URL
    /// The ffprobe executable.
    public let ffprobe: URL

    /// Uses the given executables after checking that they exist and are executable.
    public init(ffmpeg: URL, ffprobe: URL) throws(Error) {
        guard FileManager.default.isExecutableFile(atPath: ffmpeg.path) else { throw .notFound(ffmpeg.path) }
        guard FileManager.default.isExecutableFile(atPath: ffprobe.path) else { throw .notFound(ffprobe.path) }
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
    }

    /// Finds ffmpeg and ffprobe.
    /// - Parameters:
    ///   - ffmpegPath: an explicit ffmpeg path; ffprobe is then looked for next to it first.
    ///   - searchPath: a `PATH`-style list of folders to search (default: this process's `PATH`).
    public static func locate(
        ffmpegPath: String? = nil,
        searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    ) throws(Error) -> FFmpegTools {
        let folders = searchPath.split(separator: ":").map(String.init)
        func find(_ name: String, preferring folder: String?) -> URL? {
            for dir in [folder].compactMap({ $0 }) + folders {
                let candidate = URL(fileURLWithPath: dir).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
            return nil
        }
        let ffmpeg: URL
        if let ffmpegPath {
            ffmpeg = URL(fileURLWithPath: ffmpegPath)
        } else {
            guard let found = find("ffmpeg", preferring: nil) else { throw .notFound("ffmpeg") }
            ffmpeg = found
        }
        guard let ffprobe = find("ffprobe", preferring: ffmpeg.deletingLastPathComponent().path) else {
            throw .notFound("ffprobe")
        }
        return try FFmpegTools(ffmpeg: ffmpeg, ffprobe: ffprobe)
    }
}
