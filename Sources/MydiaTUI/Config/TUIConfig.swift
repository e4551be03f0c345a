public import Foundation
public import MydiaPlayback
import TOMLKit

/// The TUI's settings from `config.toml` in the config directory (`$MYDIA_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/mydia-tui`, else `~/.config/mydia-tui`, like the credentials):
///
/// ```toml
/// theme = "dark"            # dark, light or mono
/// [keys]
/// down = ["j", "Down"]      # an action's keys replace its defaults
/// quit = "Q"
/// [player]
/// mpv_args = ["--fs"]       # extra mpv options (your mpv.conf applies anyway)
/// autoplay_seconds = 10     # next-episode countdown; 0 turns autoplay off
/// resume = "auto"           # where a started item plays from: auto, ask or never
/// subtitle_language = "en"  # subtitles selected in mpv (ISO 639-1 or -2); none when absent
/// skip = "ask"              # intro and credits: ask (Enter skips), auto or never
/// [ui]
/// images = "auto"           # posters: auto, kitty, sixel, symbols or off
/// image_cache_mb = 200      # disk cache for posters, least recently used go first
/// mouse = true              # click selects, the wheel scrolls
/// ```
public struct TUIConfig: Sendable, Equatable {
    /// Why the config file cannot be used; `description` is one sentence naming the file.
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// What is wrong.
        public var problem: String
        public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
    }

    /// The key map.
    public var keyMap: KeyMap
    /// The colour theme.
    public var theme: Theme
    /// Extra mpv options (`[player] mpv_args`).
    public var mpvArguments: [String] = []
    /// The next-episode countdown in seconds (`[player] autoplay_seconds`); 0 = no autoplay.
    public var autoplaySeconds = 10
    /// Where an item with a stored position plays from (`[player] resume`).
    public var resume: ResumeMode = .auto
    /// The subtitle language selected in mpv (`[player] subtitle_language`); nil: none is selected.
    public var subtitleLanguage: SubtitleLanguage?
    /// `[ui] mouse`: clicks select, the wheel scrolls (where the terminal reports them).
    public var mouse = true
    /// How posters are drawn (`[ui] images`).
    public var images: ImagesSetting = .auto
    /// The poster cache's cap in megabytes (`[ui] image_cache_mb`).
    public var imageCacheMB = 200
    /// What playback does inside an intro or the credits (`[player] skip`).
    public var skip: SkipMode = .ask

    /// The defaults (no file).
    public init(keyMap: KeyMap = .standard, theme: Theme = .dark) {
        self.keyMap = keyMap
        self.theme = theme
    }

    /// Reads `config.toml` in `directory`; a missing file gives the defaults.
    public static func load(directory: URL) throws(Error) -> TUIConfig {
        let url = directory.appendingPathComponent("config.toml")
        guard let data = FileManager.default.contents(atPath: url.path) else { return TUIConfig() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Error(path: url.path, problem: "the file is not UTF-8 text.")
        }
        do { return try parse(text) } catch let error { throw Error(path: url.path, problem: error.problem) }
    }

    /// Parses config text (TOML 1.0); the error carries the sentence without a path.
    public static func parse(_ text: String) throws(Error) -> TUIConfig {
        let root: TOMLTable
        do { root = try ConfigDocument.parse(text) } catch { throw Error(path: "", problem: error.description) }
        var config = TUIConfig()
        let tables = Dictionary(uniqueKeysWithValues: root.keys.compactMap { key in root[key]?.table.map { (key, $0) } })
        for key in root.keys where tables[key] == nil {
            switch key {
            case "theme":
                guard let name = root[key]?.string else {
                    throw Error(path: "", problem: "theme must be a quoted name, e.g. theme = \"dark\".")
                }
                guard let theme = Theme.all[name] else {
                    throw Error(path: "", problem: "there is no theme \"\(name)\" — use one of \(Theme.all.keys.sorted().joined(separator: ", ")).")
                }
                config.theme = theme
            default: throw Error(path: "", problem: "the setting \(key) is not known (known: theme, and the [keys] table).")
            }
        }
        for table in tables.keys where !["keys", "player", "ui"].contains(table) {
            throw Error(path: "", problem: "the table [\(table)] is not known (known: [keys], [player], [ui]).")
        }
        if let player = tables["player"] { try config.readPlayer(player) }
        if let ui = tables["ui"] { try config.readUI(ui) }
        var overrides: [String: [String]] = [:]
        if let keys = tables["keys"] {
            for action in keys.keys {
                guard let names = keys[action]?.strings else {
                    throw Error(path: "", problem: "keys.\(action) must be a key name or a list of them, e.g. [\"j\", \"Down\"].")
                }
                overrides[action] = names
            }
        }
        do { config.keyMap = try KeyMap(overrides: overrides) } catch { throw Error(path: "", problem: error.description) }
        return config
    }

    /// Reads the `[player]` table.
    private mutating func readPlayer(_ player: TOMLTable) throws(Error) {
        for key in player.keys {
            let value = player[key]
            switch key {
            case "mpv_args":
                guard let args = value?.strings else {
                    throw Error(path: "", problem: "player.mpv_args must be a list of mpv options, e.g. [\"--fs\"].")
                }
                mpvArguments = args
            case "autoplay_seconds":
                guard let seconds = value?.int, (0...600).contains(seconds) else {
                    throw Error(path: "", problem: "player.autoplay_seconds must be a whole number of seconds from 0 to 600.")
                }
                autoplaySeconds = seconds
            case "resume":
                guard let mode = value?.string.flatMap(ResumeMode.init(rawValue:)) else {
                    throw Error(path: "", problem: "player.resume must be \"auto\", \"ask\" or \"never\".")
                }
                resume = mode
            case "subtitle_language":
                guard let language = value?.string.flatMap(SubtitleLanguage.init) else {
                    throw Error(path: "", problem: "player.subtitle_language must be a language code such as \"en\" or \"eng\".")
                }
                subtitleLanguage = language
            case "skip":
                guard let mode = value?.string.flatMap(SkipMode.init(rawValue:)) else {
                    throw Error(path: "", problem: "player.skip must be \"ask\", \"auto\" or \"never\".")
                }
                skip = mode
            default:
                throw Error(path: "", problem: "the setting player.\(key) is not known (known: mpv_args, autoplay_seconds, resume, subtitle_language, skip).")
            }
        }
    }
}

/// Where an item that was partly watched plays from.
public enum ResumeMode: String, Sendable, Hashable, CaseIterable {
    /// From the stored position (unless it is under 5 s, past 90 % or the item was watched).
    case auto
    /// Ask each time: resume, or play from the beginning.
    case ask
    /// Always from the beginning.
    case never
}
