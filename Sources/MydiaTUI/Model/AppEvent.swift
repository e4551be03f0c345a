public import Foundation
public import MydiaAPI
public import MydiaConnection
public import MydiaPlayback

/// Everything that can happen to the UI, in the order it happened.
public enum AppEvent: Sendable {
    /// A key press.
    case key(Key)
    /// The terminal has a new size.
    case resize(rows: Int, columns: Int)
    /// A second passed (relative times, throughput).
    case tick(Date)
    /// The connection changed.
    case connection(ConnectionSnapshot)
    /// A load finished.
    case loaded(LoadResult)
    /// A load failed; one sentence.
    case loadFailed(LoadKind, String)
    /// The session to a paired server is open (after start or pairing); `relay` is the relay origin,
    /// `deviceID` this device's id at the server.
    case sessionOpened(serverName: String, relay: String, deviceID: String? = nil)
    /// The session to a URL-login server is open (after start or login): direct only, to `url`
    /// (PROTOCOL.md §14.2). The server-side device id is not known to the client.
    case loginSessionOpened(serverName: String, url: String)
    /// The session could not be opened; one sentence.
    case sessionFailed(String)
    /// Pairing progress.
    case pairingProgress(PairingForm.Progress)
    /// Pairing failed; one sentence.
    case pairingFailed(String)
    /// URL login progress.
    case loginProgress(LoginForm.Progress)
    /// The login goes over `http://` to a local address: the warning to show (§14.2.5).
    case loginWarning(String)
    /// The login failed or was refused: one sentence, and the field that needs fixing, if one does.
    case loginFailed(String, field: LoginForm.Field?)
    /// A poster fetch ended (decoded off the event loop).
    case artwork(url: String, ArtworkOutcome)
    /// Playback changed.
    case playback(PlaybackUpdate)
    /// Playback could not start; one sentence.
    case playbackFailed(String)
    /// The server took a watched mark.
    case markStored(WatchMark)
    /// A watched mark did not reach the server (`permanent`: the server refused it for good).
    case markFailed(WatchMark, String, permanent: Bool)
    /// The stored servers, for the switcher.
    case servers([ServerEntry])
    /// Switching to another stored server: its cached catalog (if any) replaces the one on screen
    /// while its session opens (or is taken warm from the last minute).
    case serverSwitching(id: String, name: String, cached: CachedCatalog?)
    /// A mouse click or wheel step, in screen cells.
    case mouse(MouseEvent)
    /// The audio and subtitle tracks remembered for a show (nil: none), for the play menu.
    case rememberedTracks(showID: String, TrackSelection?)
    /// A line for the info line (a track switched, a download's progress); `isError` colours it.
    case notice(String, isError: Bool)
    /// SIGINT, SIGTERM or SIGHUP.
    case terminate
}

/// Data that arrived.
public enum LoadResult: Sendable {
    case home(continueWatching: [ContinueItem], recentlyAdded: [RecentlyAddedItem])
    case movies(Connection<Movie>, replacing: Bool)
    case shows(Connection<TvShow>, replacing: Bool)
    case show(TvShow)
    case season(SeasonKey, [Episode])
    /// A movie's or episode's files from its detail query.
    case detail(id: String, files: [MediaFile])
    case search(query: String, [SearchHit])
    case devices([Device])
    /// The Next up rail.
    case nextUp([UpNextItem])
}

/// Work the app runs for the reducer; results come back as events.
public enum Effect: Sendable, Equatable {
    /// Home rows.
    case loadHome
    /// A page of movies (`after: nil` = the first page, replacing what is there).
    case loadMovies(after: String?)
    /// A page of shows.
    case loadShows(after: String?)
    /// One show with its seasons.
    case loadShow(String)
    /// One season's episodes.
    case loadSeason(SeasonKey)
    /// Server search.
    case search(String)
    /// The server's devices.
    case loadDevices
    /// The detail query of the movie or episode the detail pane shows.
    case loadDetail(MediaKind, id: String)
    /// Fetch, decode and render a poster (disk cache, then the server or HTTPS).
    case loadArtwork(ArtworkRequest)
    /// Pair with a claim code through a relay.
    case pair(code: String, relay: String)
    /// Log in to a server by its URL (PROTOCOL.md §14.2); stores it and opens it once the login
    /// fully succeeded. The password is wiped when the call ends.
    case login(LoginAttempt)
    /// The TOTP or recovery code the running login waits for.
    case loginCode(SecretInput)
    /// Give up the running login while it waits for its code.
    case cancelLogin
    /// Probe the direct path now.
    case probe
    /// Play a request (the file is known).
    case play(PlaybackRequest)
    /// Read the tracks remembered for a show (the play menu's starting rows).
    case loadRememberedTracks(showID: String)
    /// Fetch a movie or episode by id, then play it.
    case fetchAndPlay(MediaKind, id: String)
    /// Stop playback.
    case stopPlayback
    /// Cancel the next-episode countdown.
    case cancelCountdown
    /// Switch the playing item's audio or subtitle track to the next one (over mpv's IPC).
    case cycleTrack(TrackKind)
    /// Download a movie or episode for offline play (its title for the progress line).
    case download(id: String, title: String)
    /// Save the catalog to the cache.
    case saveCache
    /// Send a watched mark to the server.
    case sendMark(WatchMark)
    /// List the stored servers (the switcher).
    case listServers
    /// Switch to a stored server by id.
    case switchServer(String)
    /// Leave the UI.
    case quit
}
