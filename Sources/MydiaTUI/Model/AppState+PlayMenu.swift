import Foundation
import MydiaAPI
import MydiaPlayback

// `p`: the play menu. It opens on the movie or episode selected in a list (or shown in the detail
// pane), fetches the file's tracks if the detail query has not brought them yet, reads what is
// remembered for the show, and starts playback with the chosen tracks through the same path as
// Enter. A partly watched item gets a Start column (resume at mm:ss / from the beginning) that
// takes the place of `[player] resume`'s question.
extension AppState {
    /// Opens the menu on the selected movie or episode.
    mutating func openPlayMenu() -> [Effect] {
        guard let row = selectedRow else { return [] }
        let kind: MediaKind, id: String, files: [MediaFile], progress: MydiaAPI.Progress?, showID: String?
        switch row.target {
        case .movie(let m):
            (kind, id, files, progress, showID) = (.movie, m.id, m.files, m.progress, nil)
        case .episode(let e):
            (kind, id, files, progress, showID) = (.episode, e.id, e.files, e.progress, e.showId)
        case .continueItem(let c) where c.kind == .movie || c.kind == .episode:
            (kind, id, files, progress, showID) = (c.kind ?? .movie, c.id, c.files, c.progress, c.kind == .episode ? c.showId : nil)
        case .searchItem(let hit) where hit.kind == .movie || hit.kind == .episode:
            (kind, id, files, progress, showID) = (hit.kind, hit.id, [], nil, hit.kind == .episode ? hit.showID : nil)
        default:
            message = Message("The play menu is for movies and episodes.")
            return []
        }
        guard playbackAvailable else { return [noPlayer()] }
        let title = playTitle(row)
        let known = itemFiles[id]
        let request = PlaybackRequest(kind: kind, itemID: id, fileID: (known ?? files).first?.id ?? "", title: title)
        var menu = PlayMenu(request: request, progress: progress, showID: showID, resumeMode: resumeMode)
        menu.files = known
        playMenu = menu
        overlay = .playMenu
        var effects: [Effect] = []
        if known == nil, !loading.contains(.detail(id)) {
            // The list's files carry no tracks: the detail query brings them (and warms Enter's lookup).
            loading.insert(.detail(id))
            detailAskedAt[id] = now
            effects.append(.loadDetail(kind, id: id))
        }
        if let showID { effects.append(.loadRememberedTracks(showID: showID)) }
        fillPlayMenu()
        return effects
    }

    /// Keys while the menu is open: Up/Down (and the keys of `up`/`down`) move, Tab and Right
    /// focus the next column, Shift-Tab and Left the previous, Enter (`open`) plays, Esc (`back`)
    /// or `p` closes.
    mutating func handlePlayMenu(_ key: Key, _ action: Action?) -> [Effect] {
        guard var menu = playMenu else {
            overlay = nil
            return []
        }
        switch key {
        case .tab, .right, .backTab, .left:
            menu.switchColumn(key == .tab || key == .right ? 1 : -1)
            playMenu = menu
            return []
        case .escape:
            closePlayMenu()
            return []
        default: break
        }
        switch action {
        case .up: menu.move(-1)
        case .down: menu.move(1)
        case .top: menu.move(-1000)
        case .bottom: menu.move(1000)
        case .open:
            guard menu.phase == .ready else { return [] }
            closePlayMenu()
            guard playbackAvailable else { return [noPlayer()] }
            var request = menu.request
            request.tracks = menu.selection
            // The Start column answered the resume question; without one, Enter's rules apply.
            guard let position = menu.startPosition else {
                let files = itemFiles[request.itemID] ?? menu.files ?? []
                return play(request.kind, id: request.itemID, title: request.title,
                            files: files.filter { $0.id == request.fileID } + files.filter { $0.id != request.fileID },
                            progress: menu.progress, tracks: request.tracks)
            }
            return start(request, at: position)
        case .back, .playMenu:
            closePlayMenu()
            return []
        case .quit: return quit()
        default: break
        }
        playMenu = menu
        return []
    }

    /// The show's remembered tracks arrived.
    mutating func rememberedTracks(showID: String, _ selection: TrackSelection?) {
        guard var menu = playMenu, menu.showID == showID, menu.remembered == nil else { return }
        menu.remembered = .some(selection)
        playMenu = menu
        fillPlayMenu()
    }

    /// The detail query for the menu's item answered (or failed: `failure`).
    mutating func playMenuDetail(id: String, failure: String? = nil) {
        guard var menu = playMenu, menu.request.itemID == id, menu.phase == .loading else { return }
        if let failure {
            menu.phase = .failed("The tracks of \(menu.request.title) could not be fetched: \(failure)")
        } else {
            menu.files = itemFiles[id]
        }
        playMenu = menu
        fillPlayMenu()
    }

    private mutating func fillPlayMenu() {
        playMenu?.fillIfReady(subtitleLanguage: subtitleLanguage)
    }

    private mutating func closePlayMenu() {
        playMenu = nil
        if overlay == .playMenu { overlay = nil }
    }

    /// What Enter calls the selected row's item (the playback line and mpv's title bar say it too).
    func playTitle(_ row: Row) -> String {
        guard case .episode(let e) = row.target else { return row.title }
        let show = e.show?.title ?? e.showId.flatMap { showDetails[$0]?.title }
        return [show, Self.episodeCode(e.seasonNumber, e.episodeNumber), e.displayTitle].compactMap { $0 }.joined(separator: " · ")
    }
}
