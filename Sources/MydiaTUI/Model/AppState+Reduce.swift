import Foundation
import MydiaAPI
import MydiaConnection

extension AppState {
    /// Applies one event and returns the effects to run. The only place the state changes.
    public mutating func reduce(_ event: AppEvent) -> [Effect] {
        switch event {
        case .key(let key):
            return handle(key) + artworkRequest()
        case .resize(let r, let c):
            rows = max(r, 0)
            columns = max(c, 0)
            clampCursors()
            return artworkRequest()
        case .tick(let date):
            now = date
            // Once a second at most, and only for where the cursor rests: holding `j` through a
            // list asks for nothing.
            return detailRequest() + (catalog.pendingMarks.isEmpty ? [] : sendPendingMarks())
        case .connection(let snapshot):
            noteThroughput(snapshot)
            let wasDown = connection?.activePath == nil
            connection = snapshot
            // The server is back: waiting watched marks go now, not at the end of their backoff.
            if wasDown, snapshot.activePath != nil, !catalog.pendingMarks.isEmpty {
                markRetryAt = nil
                return sendPendingMarks()
            }
            return []
        case .markStored(let mark):
            return markStored(mark)
        case .markFailed(let mark, let sentence, let permanent):
            return markFailed(mark, sentence: sentence, permanent: permanent)
        case .rememberedTracks(let showID, let selection):
            rememberedTracks(showID: showID, selection)
            return []
        case .servers(let list):
            servers = list
            serverCursor = list.firstIndex { $0.state == .current } ?? min(serverCursor, max(list.count - 1, 0))
            return []
        case .serverSwitching(let id, let name, let cached):
            switchedServer(id: id, name: name, cached: cached)
            return []
        case .mouse(let event):
            return handle(event)
        case .loaded(let result):
            let effects = apply(result)
            if case .detail(let id, _) = result { playMenuDetail(id: id) }
            return effects + artworkRequest()
        case .artwork(let url, let outcome):
            return applyArtwork(url, outcome)
        case .loadFailed(let kind, let sentence):
            loading.remove(kind)
            // A missing detail only means the pane keeps the list's facts; no need to alarm — unless
            // the play menu waits for its tracks.
            if case .detail(let id) = kind {
                playMenuDetail(id: id, failure: sentence)
                return []
            }
            message = Message(sentence, isError: true)
            return []
        case .sessionOpened(let name, let relay, let deviceID):
            currentDeviceID = deviceID
            relayOrigin = relay
            loginURL = nil
            return opened(name)
        case .loginSessionOpened(let name, let url):
            currentDeviceID = nil  // the server's id for this device is not known to a login client (§14.1)
            relayOrigin = nil
            loginURL = url
            return opened(name)
        case .sessionFailed(let sentence):
            if screen == .login {
                // Logged in and stored, but the session did not open: say so on the form.
                loginForm.busy = false
                loginForm.progress = nil
                loginForm.error = sentence
            } else {
                message = Message(sentence, isError: true)
            }
            return []
        case .pairingProgress(let progress):
            pairing.progress = progress
            if case .check(let check) = progress { pairing.check = check }
            if case .connecting(let name) = progress { pairing.server = name }
            if case .paired = progress { pairing.busy = false }
            return []
        case .pairingFailed(let sentence):
            pairing.busy = false
            pairing.progress = nil
            pairing.check = nil
            pairing.error = sentence
            // The refused code stays on screen; the next character typed starts a new one.
            pairing.startsOver = true
            return []
        case .loginProgress, .loginWarning, .loginFailed:
            applyLogin(event)
            return []
        case .playback(let update):
            playback = update
            // "Starting …" gives way to the playback line once the player reports.
            if update.phase != .starting, message?.isError == false { message = nil }
            loading = loading.filter { if case .item = $0 { false } else { true } }
            return []
        case .notice(let line, let isError):
            message = Message(line, isError: isError)
            return []
        case .playbackFailed(let sentence):
            playback = nil
            loading = loading.filter { if case .item = $0 { false } else { true } }
            message = Message(PlayerOutputFailure.explain(sentence), isError: true)
            return []
        case .terminate:
            return quit()
        }
    }

    /// A session is open: leave the first-run screens for home and load it.
    private mutating func opened(_ name: String) -> [Effect] {
        serverName = name
        if screen.isSetup { stack = [.home] }
        loginForm.wipeSecrets()
        loginForm.busy = false
        loginForm.needsCode = false
        loading.formUnion([.home, .movies, .shows])
        markRetryAt = nil
        return [.loadHome, .loadMovies(after: nil), .loadShows(after: nil)] + sendPendingMarks()
    }

    mutating func quit() -> [Effect] {
        guard !quitting else { return [] }
        quitting = true
        loginForm.wipeSecrets()
        var effects: [Effect] = []
        if playback != nil { effects.append(.stopPlayback) }
        if !screen.isSetup { effects.append(.saveCache) }
        return effects + [.quit]
    }

    // MARK: Keys

    private mutating func handle(_ key: Key) -> [Effect] {
        message = nil
        if let overlay { return handle(key, in: overlay) }
        if screen == .pairing { return handlePairing(key) }
        if screen == .login { return handleLogin(key) }
        if screen == .search && editingQuery { return handleQuery(key) }
        if editingFilter { return handleFilter(key) }
        if screen == .home && layout.railMode, let step = railStep(key) {
            moveSelection(step)
            return []
        }
        guard let action = keyMap.action(for: key) else { return [] }
        return perform(action)
    }

    private mutating func handle(_ key: Key, in overlay: Overlay) -> [Effect] {
        let action = keyMap.action(for: key)
        switch (overlay, action) {
        case (_, .quit): return quit()
        case (.connection, .reprobe):
            message = Message("Probing the direct path…")
            return [.probe]
        case (.resume(let request, let position), .open):
            self.overlay = nil
            return start(request, at: position)
        case (.resume(let request, _), .top):
            self.overlay = nil
            return start(request, at: 0)
        case (.servers, _):
            return handleServers(key, action)
        case (.playMenu, _):
            return handlePlayMenu(key, action)
        case (.help, .help), (.connection, .connection), (_, .back): self.overlay = nil
        case (.connection, .help): self.overlay = .help
        case (.help, .connection): self.overlay = .connection
        default: break
        }
        return []
    }

    private mutating func handleQuery(_ key: Key) -> [Effect] {
        switch key {
        case .character(let c):
            query.append(c)
            cursors[.search] = ListCursor()
        case .backspace, .delete:
            _ = query.popLast()
            cursors[.search] = ListCursor()
        case .enter:
            editingQuery = false
            let q = query.trimmingCharacters(in: .whitespaces)
            guard !q.isEmpty else { return [] }
            loading.insert(.search)
            return [.search(query)]
        case .escape:
            editingQuery = false
            if query.isEmpty { return perform(.back) }
        case .up: moveSelection(-1)
        case .down: moveSelection(1)
        default: break
        }
        return []
    }

    mutating func perform(_ action: Action) -> [Effect] {
        switch action {
        case .up where screen == .home && layout.railMode: cycleHomeFocus(-1)
        case .down where screen == .home && layout.railMode: cycleHomeFocus(1)
        case .up: moveSelection(-1)
        case .down: moveSelection(1)
        case .pageUp: moveSelection(-pageSize)
        case .pageDown: moveSelection(pageSize)
        case .top: moveSelection(-Int.max / 2)
        case .bottom: moveSelection(Int.max / 2)
        case .open: return open()
        case .back:
            if stack.count > 1 { stack.removeLast() } else if screen != .home { stack = [.home] }
            return []
        case .search:
            stack = [.search]
            editingQuery = true
            return []
        case .quit: return quit()
        case .help: overlay = .help
        case .connection: overlay = .connection
        case .reprobe:
            message = Message("Probing the direct path…")
            return [.probe]
        case .home: stack = [.home]
        case .movies:
            stack = [.movies]
            if catalog.movies.items.isEmpty && !loading.contains(.movies) {
                loading.insert(.movies)
                return [.loadMovies(after: nil)]
            }
        case .shows:
            stack = [.shows]
            if catalog.shows.items.isEmpty && !loading.contains(.shows) {
                loading.insert(.shows)
                return [.loadShows(after: nil)]
            }
        case .devices:
            stack = [.devices]
            loading.insert(.devices)
            return [.loadDevices]
        case .refresh: return refresh()
        case .stop: return playback == nil ? [] : [.stopPlayback]
        case .cancelCountdown: return playback?.nextEpisode == nil ? [] : [.cancelCountdown]
        case .nextPane:
            if screen == .home { cycleHomeFocus(1) }
        case .sort, .reverseSort, .unwatchedOnly, .genre, .filter:
            return browse(action) ?? []
        case .watched:
            return toggleWatched()
        case .audioTrack:
            return cycleTrack(.audio)
        case .subtitleTrack:
            return cycleTrack(.subtitles)
        case .download:
            return downloadSelected()
        case .playMenu:
            return openPlayMenu()
        case .servers:
            overlay = .servers
            serverCursor = servers.firstIndex { $0.id == serverID } ?? 0
            return [.listServers]
        }
        return pageIfNeeded()
    }

    private var pageSize: Int { max(layout.listHeight(screen, list: focusedList) - 1, 1) }

    mutating func moveSelection(_ delta: Int) {
        guard let list = focusedList else { return }
        var cursor = cursors[list, default: ListCursor()]
        cursor.move(delta, count: count(list))
        cursor.clamp(count: count(list), height: layout.listHeight(screen, list: list))
        cursors[list] = cursor
    }

    /// Incremental pagination: the next page loads when the selection nears the end of what is loaded.
    mutating func pageIfNeeded() -> [Effect] {
        let threshold = layout.listHeight(screen, list: focusedList) * 2
        switch focusedList {
        case .movies:
            let list = catalog.movies
            if options(.movies).narrows { return pageAll(.movies) }
            guard list.hasMore, list.cursor != nil, !list.items.isEmpty, !loading.contains(.movies),
                  cursors[.movies, default: ListCursor()].selected >= count(.movies) - threshold else { return [] }
            loading.insert(.movies)
            return [.loadMovies(after: list.cursor)]
        case .shows:
            let list = catalog.shows
            if options(.shows).narrows { return pageAll(.shows) }
            guard list.hasMore, list.cursor != nil, !list.items.isEmpty, !loading.contains(.shows),
                  cursors[.shows, default: ListCursor()].selected >= count(.shows) - threshold else { return [] }
            loading.insert(.shows)
            return [.loadShows(after: list.cursor)]
        default:
            return []
        }
    }

    private mutating func refresh() -> [Effect] {
        switch screen {
        case .home: loading.insert(.home); return [.loadHome]
        case .movies: loading.insert(.movies); return [.loadMovies(after: nil)]
        case .shows: loading.insert(.shows); return [.loadShows(after: nil)]
        case .seasons(let id): return [.loadShow(id)]
        case .episodes(let id, let n): return [.loadSeason(SeasonKey(showID: id, season: n))]
        case .search: return query.isEmpty ? [] : [.search(query)]
        case .devices: return [.loadDevices]
        case .pairing, .login: return []
        }
    }

    private mutating func open() -> [Effect] {
        guard let row = selectedRow else { return [] }
        switch row.target {
        case .movie(let m):
            return play(.movie, id: m.id, title: m.title, files: m.files, progress: m.progress)
        case .episode(let e):
            return play(.episode, id: e.id, title: playTitle(row), files: e.files, progress: e.progress)
        case .continueItem(let c):
            return play(c.kind ?? .movie, id: c.id, title: row.title, files: c.files, progress: c.progress)
        case .show(let s):
            if showDetails[s.id] == nil { showDetails[s.id] = s }
            return openShow(s.id)
        case .season(let id, let n):
            stack.append(.episodes(showID: id, season: n))
            let key = SeasonKey(showID: id, season: n)
            guard !loading.contains(.season(key)) else { return [] }
            loading.insert(.season(key))
            return [.loadSeason(key)]
        case .searchItem(let hit):
            switch hit.kind {
            case .show: return openShow(hit.id)
            case .movie, .episode:
                guard playbackAvailable else { return [noPlayer()] }
                loading.insert(.item(hit.id))
                message = Message("Starting \(hit.title)…")
                return [.fetchAndPlay(hit.kind, id: hit.id)]
            }
        case .device(let d):
            message = Message("\(d.deviceName): paired \(d.createdAt.prefix(10)), last seen \(d.lastSeenAt.map { String($0.prefix(16)) } ?? "never").")
            return []
        }
    }

    private mutating func openShow(_ id: String) -> [Effect] {
        stack.append(.seasons(showID: id))
        guard !loading.contains(.show(id)) else { return [] }
        loading.insert(.show(id))
        return [.loadShow(id)]
    }
}
