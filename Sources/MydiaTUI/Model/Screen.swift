/// The screens of the UI. Top-level screens (`home`, `movies`, `shows`, `search`, `devices`)
/// start a new navigation stack; `seasons` and `episodes` are pushed on top of `shows`.
public enum Screen: Hashable, Sendable {
    /// First run: pair with a claim code through a relay.
    case pairing
    /// First run, the other way in: log in to a server with its URL, a user name and a password.
    case login
    case home
    case movies
    case shows
    /// One show's seasons.
    case seasons(showID: String)
    /// One season's episodes.
    case episodes(showID: String, season: Int)
    case search
    case devices

    /// The first-run screens, before any server is open (no tabs, no catalog).
    var isSetup: Bool { self == .pairing || self == .login }

    /// The tab it belongs to in the header.
    var tab: Screen {
        switch self {
        case .seasons, .episodes: .shows
        default: self
        }
    }
}

/// A floating window over the screen.
public enum Overlay: Hashable, Sendable {
    /// `?`: every action and its keys, from the key map.
    case help
    /// `c`: the connection timeline and probe results.
    case connection
    /// `[player] resume = "ask"`: resume this item at its stored position, or play it from the start?
    case resume(PlaybackRequest, position: Double)
    /// `S`: the stored servers, to switch to one.
    case servers
    /// `p`: the audio and subtitle tracks to start with (`AppState.playMenu`).
    case playMenu
}

/// Which list of a screen the cursor is in (home has three rails).
public enum ListID: Hashable, Sendable {
    case continueWatching, nextUp, recentlyAdded, movies, shows, search, devices
    case seasons(String)
    case episodes(String, Int)
}

/// Selection and scroll position of one list. Only the visible window is ever rendered.
public struct ListCursor: Hashable, Sendable {
    /// Index of the selected row.
    public var selected = 0
    /// Index of the first visible row.
    public var offset = 0

    /// Moves the selection by `delta` within `count` rows.
    mutating func move(_ delta: Int, count: Int) {
        guard count > 0 else { selected = 0; offset = 0; return }
        selected = min(max(selected + delta, 0), count - 1)
    }

    /// Keeps the selection inside `count` and visible in a window of `height` rows.
    mutating func clamp(count: Int, height: Int) {
        selected = count == 0 ? 0 : min(max(selected, 0), count - 1)
        let h = max(height, 1)
        if selected < offset { offset = selected }
        if selected >= offset + h { offset = selected - h + 1 }
        offset = max(0, min(offset, max(count - h, 0)))
    }
}
