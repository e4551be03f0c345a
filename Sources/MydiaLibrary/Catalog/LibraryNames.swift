import Foundation
import MydiaCrypto
import MydiaWire

/// How the library folder names things (`Movies/Title (Year).ext`,
/// `Shows/Show/Season N/Show - SxxEyy - Title.ext`) and how ids are derived from those names.
public enum LibraryNames {
    /// Extensions (lowercase, no dot) that count as video files.
    public static let videoExtensions: Set<String> = ["mkv", "mp4", "m4v", "mov", "webm", "avi", "ts"]

    /// `Title (Year)` → ("Title", Year); a stem without a trailing year → (stem, nil).
    public static func titleAndYear(_ stem: String) -> (title: String, year: Int?) {
        let text = clean(stem)
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return (text, nil) }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        guard inner.count == 4, inner.allSatisfy(\.isASCII), let year = Int(inner), (1800...2200).contains(year)
        else { return (text, nil) }
        let title = text[..<open].trimmingCharacters(in: .whitespaces)
        return (title.isEmpty ? text : title, year)
    }

    /// `Season 3` → 3, `Specials` → 0; `nil` for other folder names.
    public static func seasonNumber(folder: String) -> Int? {
        let text = clean(folder).lowercased()
        if text == "specials" { return 0 }
        guard text.hasPrefix("season") else { return nil }
        let digits = text.dropFirst("season".count).trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), (0...9999).contains(n) else { return nil }
        return n
    }

    /// An episode file stem `Show - S01E02 - Title` → (1, 2, "Title"); the title part is optional.
    /// A stem with an `SxxEyy` word but no ` - ` separators (`Show.S01E02`) gives no title.
    public static func episode(stem: String) -> (season: Int, episode: Int, title: String?)? {
        let parts = clean(stem).components(separatedBy: " - ")
        for (index, part) in parts.enumerated() {
            guard let (season, episode) = seasonEpisodeTag(part.trimmingCharacters(in: .whitespaces)) else { continue }
            let rest = parts[(index + 1)...].joined(separator: " - ").trimmingCharacters(in: .whitespaces)
            return (season, episode, rest.isEmpty ? nil : rest)
        }
        // Looser names (`Show.S01E02.Title`, `Show S01E02`): the first SxxEyy word; no title.
        let words = clean(stem).split { $0 == " " || $0 == "." || $0 == "_" }
        for word in words {
            if let (season, episode) = seasonEpisodeTag(String(word)) { return (season, episode, nil) }
        }
        return nil
    }

    /// `S01E02` (any case) → (1, 2).
    static func seasonEpisodeTag(_ text: String) -> (Int, Int)? {
        let upper = Array(text.uppercased())
        guard upper.first == "S", let e = upper.firstIndex(of: "E"), e > 1, e < upper.count - 1 else { return nil }
        let s = String(upper[1..<e]), ep = String(upper[(e + 1)...])
        guard s.allSatisfy(\.isASCII), ep.allSatisfy(\.isASCII), let season = Int(s), let episode = Int(ep),
              (0...9999).contains(season), (0...99999).contains(episode) else { return nil }
        return (season, episode)
    }

    /// A name from the file system as a display string: NFC, no control characters, trimmed.
    public static func clean(_ name: String) -> String {
        DisplayText.sanitized(name.precomposedStringWithCanonicalMapping).trimmingCharacters(in: .whitespaces)
    }

    /// A short opaque id, stable for the same `key`: `prefix` + 20 hex digits of SHA-256.
    static func stableID(_ prefix: String, _ key: String) -> String {
        let digest = SHA256.hash(Array(key.precomposedStringWithCanonicalMapping.utf8))
        return prefix + Encoding.hex(digest.prefix(10))
    }

    static func movieID(relativeStem: String) -> String { stableID("mv_", "movie\u{0}" + relativeStem) }
    static func showID(folder: String) -> String { stableID("sh_", "show\u{0}" + folder) }
    static func episodeID(showFolder: String, season: Int, episode: Int) -> String {
        stableID("ep_", "episode\u{0}\(showFolder)\u{0}\(season)\u{0}\(episode)")
    }
    static func fileID(relativePath: String) -> String { stableID("mf_", "file\u{0}" + relativePath) }

    /// Case- and accent-insensitive form used for search and sorting.
    public static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .precomposedStringWithCanonicalMapping
    }
}
