public import MydiaAPI
public import MydiaPlayback

/// The play menu (`p`): the audio and subtitle tracks a movie or episode starts with, chosen before
/// it starts (issue 20). Audio lists the file's audio streams, subtitles "Off" and the file's
/// subtitle tracks; each column starts on what is remembered for the show, else on the file's
/// default (audio) or `[player] subtitle_language` (subtitles). Enter passes only what was changed
/// from that starting point (`TrackSelection`, like `play --audio/--sub`): an unchanged column
/// leaves the choice to the show's memory and mpv, so "p, Enter" plays exactly like Enter.
public struct PlayMenu: Sendable, Hashable {
    /// Which column has the cursor (`start` only for a partly watched item).
    public enum Column: Sendable, Hashable { case audio, subtitles, start }

    /// Where the menu is.
    public enum Phase: Sendable, Hashable {
        /// Waiting for the file's tracks (the detail query) or the show's remembered choice.
        case loading
        /// The tracks could not be fetched; one sentence.
        case failed(String)
        /// The columns are filled.
        case ready
    }

    /// One row of a column: what it says and the choice it makes (nil: left to the player).
    public struct Option: Sendable, Hashable {
        public var label: String
        public var choice: TrackSelection.Choice?
    }

    /// What plays (its file, tracks left empty until Enter).
    public var request: PlaybackRequest
    /// The item's stored progress, for where it starts (`[player] resume`).
    public var progress: MydiaAPI.Progress?
    /// The show of an episode (whose remembered tracks preselect), if known.
    public var showID: String?
    /// The item's files, once the detail query answered.
    public var files: [MediaFile]?
    /// What is remembered for the show; `.some(nil)` once read and empty, nil until read.
    public var remembered: TrackSelection??
    /// The phase.
    public var phase: Phase = .loading
    public var audio: [Option] = []
    public var subtitles: [Option] = []
    /// Selected rows, and the rows each column started on.
    public var audioRow = 0
    public var subtitleRow = 0
    var audioStart = 0
    var subtitleStart = 0
    /// The focused column.
    public var column: Column = .audio
    /// Where a partly watched item would resume (nil: it starts where the player decides, and
    /// the menu has no Start column).
    public var resumeAt: Double?
    /// The Start column: 0 resumes at ``resumeAt``, 1 plays from the beginning.
    public var startRow = 0

    /// A menu for `request`, loading until ``fillIfReady(subtitleLanguage:)``; a partly watched
    /// item's Start column starts on resuming unless `[player] resume` is "never".
    public init(request: PlaybackRequest, progress: MydiaAPI.Progress?, showID: String?, resumeMode: ResumeMode = .auto) {
        self.request = request
        self.progress = progress
        self.showID = showID
        remembered = showID == nil ? .some(nil) : nil
        resumeAt = AppState.resumable(progress)
        startRow = resumeMode == .never ? 1 : 0
    }

    /// The columns shown, in order.
    public var columns: [Column] { resumeAt == nil ? [.audio, .subtitles] : [.audio, .subtitles, .start] }

    /// Focuses the next (`step` 1) or previous (-1) column, wrapping around.
    mutating func switchColumn(_ step: Int) {
        let all = columns
        let i = all.firstIndex(of: column) ?? 0
        column = all[(i + step + all.count) % all.count]
    }

    /// Where Enter starts: nil leaves it to `[player] resume` (nothing stored to resume), else
    /// the Start column's choice in seconds.
    public var startPosition: Double? {
        guard let resumeAt else { return nil }
        return startRow == 0 ? resumeAt : 0
    }

    /// Fills the columns once both the files and the show's memory are known.
    mutating func fillIfReady(subtitleLanguage: SubtitleLanguage?) {
        guard phase == .loading, let files, let remembered else { return }
        guard let file = files.first(where: { $0.id == request.fileID }) ?? files.first else {
            phase = .failed("\(request.title) has no playable file on the server.")
            return
        }
        request.fileID = file.id
        (audio, audioStart) = Self.audioOptions(file, remembered: remembered?.audio)
        (subtitles, subtitleStart) = Self.subtitleOptions(file, remembered: remembered?.subtitle, configured: subtitleLanguage)
        audioRow = audioStart
        subtitleRow = subtitleStart
        phase = .ready
    }

    /// The tracks to start with: each column's choice if it was moved off its starting row.
    public var selection: TrackSelection {
        TrackSelection(audio: audioRow == audioStart ? nil : audio[safe: audioRow]?.choice,
                       subtitle: subtitleRow == subtitleStart ? nil : subtitles[safe: subtitleRow]?.choice)
    }

    /// Moves the cursor of the focused column by `delta` rows.
    mutating func move(_ delta: Int) {
        switch column {
        case .audio: audioRow = min(max(audioRow + delta, 0), max(audio.count - 1, 0))
        case .subtitles: subtitleRow = min(max(subtitleRow + delta, 0), max(subtitles.count - 1, 0))
        case .start: startRow = min(max(startRow + delta, 0), 1)
        }
    }

    // MARK: Columns

    /// The audio streams (`eng · AAC · 2 ch · Commentary · default`), starting on the remembered
    /// one, else the file's default. A file whose streams the server has not reported gets one row
    /// that leaves the choice to mpv.
    static func audioOptions(_ file: MediaFile, remembered: TrackSelection.Choice?) -> ([Option], Int) {
        let streams = file.streams.filter(\.isAudio)
        guard !streams.isEmpty else {
            return ([Option(label: "As the file has it" + (file.audioCodec.map { " (\($0))" } ?? ""), choice: nil)], 0)
        }
        let options = streams.enumerated().map { i, s in
            let language = s.language.flatMap { $0.isEmpty || $0 == "und" ? nil : $0 }
            var parts = [language ?? "unknown language"]
            if let codec = s.codec, !codec.isEmpty { parts.append(codec.uppercased()) }
            if let channels = s.channels, channels > 0 { parts.append("\(channels) ch") }
            if let title = s.title, !title.isEmpty, title != language { parts.append(title) }
            if s.isCommentary == true { parts.append("commentary") }
            if s.isDefault == true { parts.append("default") }
            return Option(label: parts.joined(separator: " · "),
                          choice: choice(language: language, among: streams.map(\.language), number: i + 1, allowsOff: false))
        }
        let start: Int? = switch remembered {
        case .language(let code)?: streams.firstIndex { s in s.language.map { SubtitleLanguage(code)?.matches($0) == true } ?? false }
        case .number(let n)?: n >= 1 && n <= streams.count ? n - 1 : nil
        case .off?, nil: nil
        }
        return (options, start ?? streams.firstIndex { $0.isDefault == true } ?? 0)
    }

    /// "Off" and the subtitle tracks (`eng · English (SDH) · forced · SDH`), starting on the
    /// remembered one, else the first in `[player] subtitle_language`, else Off.
    static func subtitleOptions(_ file: MediaFile, remembered: TrackSelection.Choice?, configured: SubtitleLanguage?) -> ([Option], Int) {
        let tracks = file.subtitles
        var options = [Option(label: "Off", choice: .off)]
        for (i, t) in tracks.enumerated() {
            var parts = [t.language]
            if !t.title.isEmpty, t.title != t.language { parts.append(t.title) }
            if t.forced == true { parts.append("forced") }
            if t.hearingImpaired == true { parts.append("SDH") }
            if !t.isDeliverable { parts.append("image-based: direct play only") }
            options.append(Option(label: parts.joined(separator: " · "),
                                  choice: choice(language: t.language == "und" ? nil : t.language, among: tracks.map(\.language),
                                                 number: i + 1, allowsOff: true)))
        }
        let row: Int? = switch remembered {
        case .off?: 0
        case .language(let code)?: tracks.firstIndex { SubtitleLanguage(code)?.matches($0.language) == true }.map { $0 + 1 }
        case .number(let n)?: n >= 1 && n <= tracks.count ? n : nil
        case nil: configured.flatMap { c in tracks.firstIndex { $0.isDeliverable && c.matches($0.language) } }.map { $0 + 1 }
        }
        return (options, row ?? 0)
    }

    /// A track's choice: its language when no other track of the column has it (so the show's
    /// next episode finds the same track), else its number as mpv counts them.
    private static func choice(language: String?, among all: [String?], number: Int, allowsOff: Bool) -> TrackSelection.Choice {
        guard let language, let parsed = TrackSelection.Choice(parsing: language, allowsOff: allowsOff),
              case .language(let code) = parsed, let lang = SubtitleLanguage(code),
              all.filter({ $0.map(lang.matches) ?? false }).count == 1 else { return .number(number) }
        return parsed
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
