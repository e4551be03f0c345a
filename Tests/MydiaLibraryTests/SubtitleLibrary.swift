import Foundation
import MydiaCrypto
import MydiaLibrary

/// The library with subtitles made by `Resources/make-subtitle-library.sh` (real ffmpeg): once per
/// machine into the temporary folder, copied into a fresh folder for each test that wants one.
enum SubtitleLibrary {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var master: URL?  // guarded by `lock`

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-subtitle-library.sh")
    }

    /// A fresh copy of the library and an empty state folder.
    static func make() throws -> (library: URL, state: URL) {
        let base = try SampleLibrary.temporaryDirectory()
        let library = base.appendingPathComponent("library")
        try FileManager.default.copyItem(at: try masterCopy(), to: library)
        return (library, base.appendingPathComponent("state"))
    }

    /// A scanned copy with its database.
    static func scanned() async throws -> (root: URL, state: URL, library: MediaLibrary) {
        let (root, state) = try make()
        let library = MediaLibrary(root: root, database: try LibraryDatabase(stateDirectory: state))
        try await library.rescan()
        return (root, state, library)
    }

    /// The file record of `Movies/<name>`.
    static func file(_ library: MediaLibrary, _ name: String) async throws -> MediaFileRecord? {
        for movie in try await library.movies() {
            if let file = try await library.files(itemID: movie.id).first(where: { $0.relativePath == "Movies/" + name }) {
                return file
            }
        }
        return nil
    }

    private static func masterCopy() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let master { return master }
        let digest = SHA256.hash(Array(try Data(contentsOf: script)))
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mydia-subtitle-library-\(Encoding.hex(digest.prefix(6)))")
        try SampleLibrary.run("/bin/sh", [script.path, url.path])
        master = url
        return url
    }
}
