public import Foundation
public import MydiaAPI
public import MydiaConnection
public import MydiaPlayback

/// Everything the UI shows, as plain values. `reduce` (in `AppState+Reduce.swift`) is the only
/// place it changes: it takes an event, updates the state and returns the side effects to run.
/// Views render it into a `Frame`; nothing here touches the terminal or the network.
public struct AppState: Sendable {
    /// Screen size.
    public var rows: Int
    public var columns: Int
    /// The key map and theme in force.
    public var keyMap: KeyMap
    /// Navigation stack; the last element is on screen.
    public var stack: [Screen]
    /// A floating window, if open.
    public var overlay: Overlay?
    /// Where a partly watched item plays from (`[player] resume`).
    public var resumeMode: ResumeMode = .auto
    /// The subtitle language selected in mpv (`[player] subtitle_language`): the play menu starts there.
    public var subtitleLanguage: SubtitleLanguage?
    /// The play menu (`p`), while open (the overlay is `.playMenu`).
    public var playMenu: PlayMenu?
    /// The paired server's name, once known.
    public var serverName: String?
    /// The relay origin the session uses (a paired server).
    public var relayOrigin: String?
    /// The base URL of a URL-login server (direct only, PROTOCOL.md §14.2); `nil` for a paired one.
    public var loginURL: String?

    // Catalog.
    /// Home rows and the loaded part of the movie and show lists.
    public var catalog: CachedCatalog
    /// When the catalog on screen was cached, while it has not been revalidated yet.
    public var cachedAt: Date?
    /// Parts still to revalidate after a start from cache.
    public var staleParts: Set<CatalogPart> = []
    /// Shows opened so far (seasons), by id.
    public var showDetails: [String: TvShow] = [:]
    /// Episodes per show and season.
    public var episodes: [SeasonKey: [Episode]] = [:]
    /// Devices of the server, once loaded.
    public var devices: [Device]?
    /// Files of movies and episodes as their detail query gave them (with subtitle tracks, which
    /// list queries do not ask for), by item id; fetched when the detail pane shows the item.
    public var itemFiles: [String: [MediaFile]] = [:]
    /// When the detail query last went out for an item (it is also what Enter needs: see
    /// `detailRequest`), and the item the detail pane showed at the last tick.
    var detailAskedAt: [String: Date] = [:]
    var paneItem: String?
    /// Posters: how they are drawn, and which are loading or decoded.
    public var artwork = ArtworkShelf()
    /// This client's own device id at the server (from pairing or login), to mark it in the list.
    public var currentDeviceID: String?
    /// Loads in flight (so a key press does not start the same one twice).
    public var loading: Set<LoadKind> = []

    // Search.
    /// The search text.
    public var query = ""
    /// True while the search field has the keyboard.
    public var editingQuery = false
    /// The server's answer for `serverQuery`.
    public var serverResults: [SearchHit]?
    /// The query `serverResults` answers.
    public var serverQuery: String?

    // Lists.
    /// Selection and scroll per list.
    public var cursors: [ListID: ListCursor] = [:]
    /// Home's focused list.
    public var homeFocus: ListID = .continueWatching
    /// Movies and shows as sorted and filtered (indices into the loaded items).
    var views: [BrowseList: ListView] = [:]
    /// True while the list filter field has the keyboard.
    public var editingFilter = false

    // Watched marks (the queue itself is `catalog.pendingMarks`).
    /// Marks sent and not answered yet.
    var marksInFlight: Set<WatchTarget> = []
    /// Failed sends in a row (the backoff step).
    var markFailures = 0
    /// When waiting marks may be sent again after a failure.
    var markRetryAt: Date?

    // Servers.
    /// The stored servers as the switcher lists them (loaded when it opens).
    public var servers: [ServerEntry] = []
    /// The stored id of the server in use.
    public var serverID: String?
    /// The switcher's selected row.
    public var serverCursor = 0
    /// Whether mouse clicks and the wheel are used (`[ui] mouse`).
    public var mouseEnabled = true

    // Connection.
    /// The last connection snapshot.
    public var connection: ConnectionSnapshot?
    /// Bytes per second received, both paths together (from successive snapshots).
    public var throughput: Double?
    var throughputBase: (bytes: Int, at: Duration)?

    // Playback.
    /// The playback state, while something plays or just ended.
    public var playback: PlaybackUpdate?
    /// Whether a player is wired in (the UI says so instead of failing on Enter).
    public var playbackAvailable: Bool

    // First run.
    /// The pairing form.
    public var pairing = PairingForm()
    /// The URL login form beside it.
    public var loginForm = LoginForm()

    /// A one-line message (errors, hints), cleared by the next key press.
    public var message: Message?
    /// The wall clock of the last tick (for "N min ago").
    public var now: Date
    /// Set when the user asked to quit.
    public var quitting = false

    /// A state for a terminal of `rows` × `columns`.
    public init(rows: Int, columns: Int, keyMap: KeyMap = .standard, paired: Bool, cached: CachedCatalog? = nil,
                playbackAvailable: Bool = false, relay: String = "", now: Date = Date()) {
        self.rows = rows
        self.columns = columns
        self.keyMap = keyMap
        self.stack = [paired ? .home : .pairing]
        self.catalog = cached ?? CachedCatalog(savedAt: now)
        self.cachedAt = cached?.savedAt
        if cached != nil { staleParts = Set(CatalogPart.allCases) }
        self.playbackAvailable = playbackAvailable
        self.pairing.relay = relay
        self.now = now
        rebuildViews()
    }

    /// The screen on top of the stack.
    public var screen: Screen { stack.last ?? .home }
}

/// A one-line message.
public struct Message: Sendable, Hashable {
    public var text: String
    public var isError: Bool

    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// A show's season.
public struct SeasonKey: Hashable, Sendable {
    public var showID: String
    public var season: Int
}

/// The parts of the catalog that are cached and revalidated.
public enum CatalogPart: Hashable, Sendable, CaseIterable {
    case home, movies, shows
}

/// A load the UI can be waiting for.
public enum LoadKind: Hashable, Sendable {
    case home, movies, shows, devices, search
    case show(String)
    case season(SeasonKey)
    case item(String)
    /// A movie's or episode's detail query (its files' subtitle tracks).
    case detail(String)
}

/// The first-run pairing form and its progress.
public struct PairingForm: Sendable, Hashable {
    /// Which field has the keyboard.
    public enum Field: Sendable, Hashable { case code, relay }
    /// Progress of a running pairing (§12.6: the pairing check is shown).
    public enum Progress: Sendable, Hashable {
        case lookingUp
        case connecting(String)
        case securing
        case check(String)
        case paired(String)
    }

    /// The code as typed, normalised: letters and digits only, upper case, at most 6.
    public var code = ""
    /// The relay origin.
    public var relay = ""
    /// The focused field.
    public var focus: Field = .code
    /// Progress, while pairing runs or after it finished.
    public var progress: Progress?
    /// The server's name, once the claim named it.
    public var server: String?
    /// The pairing check, once shown (kept on screen until paired).
    public var check: String?
    /// True while a pairing attempt runs.
    public var busy = false
    /// The last failure, with what to do.
    public var error: String?
    /// After a refusal the code stays on screen, and the next character typed starts a new code.
    public var startsOver = false

    /// Adds typed text to the code, dropping separators (`123-456`, `123 456`).
    mutating func type(code text: String) {
        if startsOver, text.contains(where: { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            code = ""
            startsOver = false
        }
        for c in text where c.isASCII && (c.isLetter || c.isNumber) && code.count < 6 {
            code.append(Character(c.uppercased()))
        }
    }

    /// The code as shown: `123 456`.
    public var displayCode: String {
        code.count > 3 ? String(code.prefix(3)) + " " + String(code.dropFirst(3)) : code
    }
}
