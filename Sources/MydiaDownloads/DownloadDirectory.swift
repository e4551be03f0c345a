public import Foundation

/// Where downloads live: `$XDG_DATA_HOME/mydia-tui/downloads/` (default `~/.local/share/…`), 0700.
///
/// ```
/// downloads/
///   item-<id>/                 a complete download, made visible by one rename
///     <Title>.<ext>            the file, 0600
///     download.json            its ``DownloadRecord``
///     subtitles/<n>.<lang>.vtt the item's text subtitle tracks
///   .partial/item-<id>/        a download in progress (or interrupted): never listed as complete
///     media.part               the bytes so far; resumed by Range from its size
///     partial.json             the file id, total size and strong ETag the bytes belong to
///   .partial/item-<id>.lock    held (flock) by the process downloading it
///   .progress.json             progress of offline playback not yet delivered to the server
/// ```
public struct DownloadDirectory: Sendable, Hashable {
    /// The downloads folder.
    public let root: URL

    /// A downloads folder at `root` (tests; another data home).
    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// `$XDG_DATA_HOME/mydia-tui/downloads`, else `$HOME/.local/share/mydia-tui/downloads`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> DownloadDirectory {
        let base: String
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            base = data
        } else {
            base = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/share"
        }
        return DownloadDirectory(root: URL(fileURLWithPath: base).appendingPathComponent("mydia-tui/downloads", isDirectory: true))
    }

    /// The hidden folder of downloads in progress.
    public var partialRoot: URL { root.appendingPathComponent(".partial", isDirectory: true) }

    /// The queue of progress reports made offline.
    var progressBacklog: URL { root.appendingPathComponent(".progress.json") }

    /// The folder of a complete download of `itemID`.
    public func completeFolder(_ itemID: String) -> URL {
        root.appendingPathComponent(Self.folderName(itemID), isDirectory: true)
    }

    /// The folder of `itemID`'s download in progress.
    public func partialFolder(_ itemID: String) -> URL {
        partialRoot.appendingPathComponent(Self.folderName(itemID), isDirectory: true)
    }

    /// The lock file of `itemID`'s download in progress.
    func lockFile(_ itemID: String) -> URL {
        partialRoot.appendingPathComponent(Self.folderName(itemID) + ".lock")
    }

    /// `item-<id>` for a plain id, `hex-<utf8 as hex>` for any other: item ids come from the
    /// server and never become a path as they are.
    static func folderName(_ itemID: String) -> String {
        let plain = itemID.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || byte == 0x2d || byte == 0x5f
        }
        if plain, !itemID.isEmpty, itemID.utf8.count <= 80 { return "item-" + itemID }
        return "hex-" + itemID.utf8.prefix(60).map { String(format: "%02x", $0) }.joined()
    }

    /// A file name for the media made from the title: no separators, control characters or
    /// leading dot, at most 120 bytes, with `ext` (letters and digits only, else `bin`).
    static func mediaFileName(title: String, ext: String?) -> String {
        var name = ""
        for scalar in title.unicodeScalars {
            if scalar == "/" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7f { name.unicodeScalars.append("_") } else { name.unicodeScalars.append(scalar) }
            if name.utf8.count >= 120 { break }
        }
        name = name.trimmingCharacters(in: .whitespaces)
        while name.hasPrefix(".") { name.removeFirst() }
        if name.isEmpty { name = "media" }
        let cleanExt = (ext ?? "").lowercased()
        let safeExt = !cleanExt.isEmpty && cleanExt.count <= 8 && cleanExt.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? cleanExt : "bin"
        return name + "." + safeExt
    }
}
