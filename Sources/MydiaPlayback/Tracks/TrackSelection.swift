import Foundation

/// The audio and subtitle tracks a playback starts with (`play --audio`, `--sub`; the TUI's play
/// menu). Each is a language, or a track number as mpv counts them (1 = the first audio or
/// subtitle track mpv lists: the file's own, then the ones added from the server); nil leaves the
/// choice to what is remembered for the show, then to mpv and `[player] subtitle_language`.
public struct TrackSelection: Sendable, Hashable, Codable {
    /// One choice.
    public enum Choice: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The first track in this language (ISO 639-1 or -2).
        case language(String)
        /// mpv's track number of that type (`aid`/`sid`), from 1.
        case number(Int)
        /// No track (subtitles only).
        case off

        /// Reads `en`, `eng`, `2` or (subtitles) `off`; nil when it is none of them.
        public init?(parsing text: String, allowsOff: Bool) {
            let text = text.trimmingCharacters(in: .whitespaces)
            if ["off", "no", "none"].contains(text.lowercased()) {
                guard allowsOff else { return nil }
                self = .off
            } else if let number = Int(text), number >= 1, number <= 999 {
                self = .number(number)
            } else if let language = SubtitleLanguage(text) {
                self = .language(language.code)
            } else {
                return nil
            }
        }

        public var description: String {
            switch self {
            case .language(let code): code
            case .number(let n): "\(n)"
            case .off: "off"
            }
        }
    }

    /// The audio track.
    public var audio: Choice?
    /// The subtitle track.
    public var subtitle: Choice?

    public init(audio: Choice? = nil, subtitle: Choice? = nil) {
        self.audio = audio
        self.subtitle = subtitle
    }

    /// This selection, with what it leaves open taken from `fallback`.
    public func over(_ fallback: TrackSelection?) -> TrackSelection {
        TrackSelection(audio: audio ?? fallback?.audio, subtitle: subtitle ?? fallback?.subtitle)
    }

    /// mpv options that make the choice for the next `loadfile` (`alang`/`aid`, `slang`/`sid`),
    /// as `set_property` pairs. A subtitle language is left to the subtitle plan (it selects
    /// among the server's tracks as they are added).
    var mpvProperties: [(name: String, value: String)] {
        var properties: [(String, String)] = []
        switch audio {
        case .language(let code)?:
            properties.append(("alang", Self.languageList(code)))
            properties.append(("aid", "auto"))
        case .number(let n)?: properties.append(("aid", "\(n)"))
        case .off?: properties.append(("aid", "no"))
        case nil: properties.append(("aid", "auto"))
        }
        switch subtitle {
        case .number(let n)?: properties.append(("sid", "\(n)"))
        case .off?: properties.append(("sid", "no"))
        case .language(let code)?:
            properties.append(("slang", Self.languageList(code)))
            properties.append(("sid", "auto"))
        case nil: properties.append(("sid", "auto"))
        }
        return properties
    }

    /// Both spellings of a language for mpv's `alang`/`slang` (`en` → `en,eng`).
    private static func languageList(_ code: String) -> String {
        guard let language = SubtitleLanguage(code) else { return code }
        return language.spellings.joined(separator: ",")
    }
}
