/// Everything a key can do. The key map binds keys to these; the help overlay lists them.
public enum Action: String, Sendable, Hashable, CaseIterable {
    case up, down, pageUp = "page_up", pageDown = "page_down", top, bottom
    case open, back, search, quit, help
    case home, movies, shows, devices
    case connection, reprobe, refresh
    case stop, cancelCountdown = "cancel_countdown", nextPane = "next_pane"
    case sort, reverseSort = "reverse_sort", unwatchedOnly = "unwatched_only", genre, filter
    case watched, servers
    case audioTrack = "audio_track", subtitleTrack = "subtitle_track", download
    case playMenu = "play_menu"

    /// What the help overlay says it does.
    public var summary: String {
        switch self {
        case .up: "move up"
        case .down: "move down"
        case .pageUp: "page up"
        case .pageDown: "page down"
        case .top: "first item"
        case .bottom: "last item"
        case .open: "open / play"
        case .back: "back"
        case .search: "search the library"
        case .quit: "quit"
        case .help: "this help"
        case .home: "home"
        case .movies: "movies"
        case .shows: "shows"
        case .devices: "servers and devices"
        case .connection: "connection view"
        case .reprobe: "probe the direct path now"
        case .refresh: "reload this screen"
        case .stop: "stop playback"
        case .cancelCountdown: "cancel the next-episode countdown"
        case .nextPane: "switch rail (home)"
        case .sort: "sort by title, year, date added, rating (movies, shows)"
        case .reverseSort: "reverse the sort order"
        case .unwatchedOnly: "show unwatched only / everything"
        case .genre: "next genre (movies, shows)"
        case .filter: "filter the list by title (accents optional)"
        case .watched: "mark watched / unwatched (movie, episode, season)"
        case .servers: "switch server"
        case .audioTrack: "next audio track (while playing)"
        case .subtitleTrack: "next subtitle track, then none (while playing)"
        case .download: "download for offline (movie, episode)"
        case .playMenu: "pick audio and subtitles, then play"
        }
    }
}
