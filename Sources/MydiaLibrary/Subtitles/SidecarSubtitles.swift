public import Foundation

/// Subtitle files next to a video (`Movie (2019).srt`, `Movie (2019).en.srt`,
/// `Movie (2019).eng.forced.srt`, `Movie (2019).en.sdh.vtt`, `….ass`, `….sup`, `….idx`): found
/// by listing the video's folder when asked, so a sidecar added after the scan is seen at once.
/// Track ids come from the file name; a request's track id is looked up in this list and never
/// joined into a path.
public enum SidecarSubtitles {
    /// What a sidecar's name says between the video's stem and the extension.
    public struct NameParts: Sendable, Equatable {
        /// ISO 639-2, `und` when no word is a language.
        public var language: String
        /// A `forced` or `foreign` word.
        public var forced: Bool
        /// An `sdh`, `cc` or (beside a language) `hi` word.
        public var hearingImpaired: Bool
        /// The other words, for the title (`Commentary`).
        public var extra: [String]
        /// The format from the extension.
        public var format: String
        /// Whether the format is text.
        public var deliverable: Bool

        /// Creates name parts from their parts.
        public init(language: String, forced: Bool, hearingImpaired: Bool, extra: [String], format: String, deliverable: Bool) {
            self.language = language
            self.forced = forced
            self.hearingImpaired = hearingImpaired
            self.extra = extra
            self.format = format
            self.deliverable = deliverable
        }
    }

    /// Reads a sidecar's name. `nil` when `fileName` is not `<videoStem>[.word…].<subtitle ext>`.
    /// - Parameters:
    ///   - fileName: the candidate's file name.
    ///   - videoStem: the video's file name without its extension.
    public static func parse(fileName: String, videoStem: String) -> NameParts? {
        let name = fileName.precomposedStringWithCanonicalMapping
        let stem = videoStem.precomposedStringWithCanonicalMapping
        guard name.hasPrefix(stem + "."), let dot = name.lastIndex(of: ".") else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        guard let (format, deliverable) = SubtitleFormatName.forExtension(ext) else { return nil }
        let middleStart = name.index(name.startIndex, offsetBy: stem.count + 1)
        let middle = middleStart <= dot ? String(name[middleStart..<dot]) : ""
        let words = middle.split(separator: ".").map(String.init).filter { !$0.isEmpty }

        var language: String?
        var forced = false, hearingImpaired = false, extra: [String] = [], sawHI = false
        for word in words {
            switch word.lowercased() {
            case "forced", "foreign": forced = true
            case "sdh", "cc": hearingImpaired = true
            case "hi": sawHI = true
            case "default": break
            default:
                if language == nil, let code = LanguageCode.fromFileNameWord(word) { language = code }
                else { extra.append(LibraryNames.clean(word)) }
            }
        }
        // `hi` is Hindi on its own and "hearing impaired" beside another language.
        if sawHI {
            if language == nil { language = LanguageCode.fromFileNameWord("hi") } else { hearingImpaired = true }
        }
        return NameParts(language: language ?? LanguageCode.undetermined, forced: forced,
                         hearingImpaired: hearingImpaired, extra: extra.filter { !$0.isEmpty },
                         format: format, deliverable: deliverable)
    }

    /// The track id of a sidecar file name: `sc_` + 20 hex digits of SHA-256.
    public static func trackID(fileName: String) -> String {
        LibraryNames.stableID("sc_", "sidecar\u{0}" + fileName)
    }

    /// The sidecar tracks of `video`, in file-name order. A subtitle whose name also fits a
    /// longer video stem in the same folder (`Movie.Extended.srt` beside `Movie.Extended.mkv`)
    /// belongs to that video only; a `.sub` beside an `.idx` of the same name is the VobSub's data.
    public static func tracks(forVideo video: URL) -> [SubtitleTrack] {
        let folder = video.deletingLastPathComponent()
        let stem = video.deletingPathExtension().lastPathComponent.precomposedStringWithCanonicalMapping
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        let otherStems = names.filter { LibraryNames.videoExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .map { ($0 as NSString).deletingPathExtension.precomposedStringWithCanonicalMapping }
            .filter { $0 != stem && $0.hasPrefix(stem + ".") }
        let indexes = Set(names.filter { ($0 as NSString).pathExtension.lowercased() == "idx" }
            .map { ($0 as NSString).deletingPathExtension })

        var tracks: [SubtitleTrack] = []
        for name in names {
            guard let parts = parse(fileName: name, videoStem: stem) else { continue }
            let normalized = name.precomposedStringWithCanonicalMapping
            if otherStems.contains(where: { normalized.hasPrefix($0 + ".") }) { continue }
            let base = (name as NSString).deletingPathExtension
            if (name as NSString).pathExtension.lowercased() == "sub", indexes.contains(base) { continue }
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            tracks.append(SubtitleTrack(
                trackID: trackID(fileName: name), language: parts.language,
                title: SubtitleTrack.displayTitle(language: parts.language, forced: parts.forced,
                                                  hearingImpaired: parts.hearingImpaired,
                                                  extra: parts.extra.joined(separator: " ")),
                format: parts.format, deliverable: parts.deliverable, forced: parts.forced,
                hearingImpaired: parts.hearingImpaired, source: .sidecar(url)))
        }
        return tracks
    }
}
