import Foundation
import Logging
import MydiaAPI

extension Playback {
    /// A file loaded into mpv: adds the current file's subtitle tracks over IPC (PROTOCOL.md
    /// §14.2.6) as ``SubtitlePlan`` says, in the background so player events keep flowing while
    /// mpv fetches them. Each track is a proxy URL (`/<prefix>/subtitles/<fileId>/<trackId>`, WebVTT
    /// from the server's subtitle route): mpv never sees the token or the server.
    func loadSubtitles() {
        subtitleTask?.cancel()
        subtitleTask = nil
        guard case .load(let configured) = options.subtitles, let player, let file, let strategy else { return }
        // `--sub LANG` (or the show's remembered language) wins over `[player] subtitle_language`;
        // a track number or `off` selects none of the added ones.
        let choice = trackSelection.subtitle
        let preferred: SubtitleLanguage?
        switch choice {
        case .language(let code)?: preferred = SubtitleLanguage(code)
        case .number?, .off?: preferred = nil
        case nil: preferred = configured
        }
        // A downloaded file's tracks are the subtitle files saved with it (issue 20).
        let tracks = local.map { local in file.subtitles.filter { $0.embedded || local.subtitles[$0.trackId] != nil } } ?? file.subtitles
        let plan = SubtitlePlan(tracks: tracks, directPlay: strategy == .directPlay, preferred: preferred)
        guard !plan.additions.isEmpty || plan.selectEmbeddedStream != nil else { return }
        let urls: [String]
        if let local {
            urls = plan.additions.map { local.subtitles[$0.track.trackId] ?? "" }
        } else if let proxy {
            urls = plan.additions.map { proxy.subtitleURL(fileID: file.id, trackID: $0.track.trackId).absoluteString }
        } else {
            return
        }
        let logger = self.logger
        subtitleTask = Task {
            await Self.apply(plan, urls: urls, to: player, logger: logger)
            // A number counts the added tracks too: selected once they are there.
            if case .number(let n)? = choice, !Task.isCancelled {
                _ = try? await player.command([.string("set_property"), .string("sid"), .number(Double(n))])
            }
        }
    }

    /// `sub-add <url> select|auto <title> <lang>` per track, then the embedded stream to select, if any.
    private static func apply(_ plan: SubtitlePlan, urls: [String], to player: MPVPlayer, logger: Logger) async {
        var added = 0
        for (addition, url) in zip(plan.additions, urls) {
            guard !Task.isCancelled else { return }
            let track = addition.track
            do {
                try await player.command([.string("sub-add"), .string(url), .string(addition.select ? "select" : "auto"),
                                          .string(track.title), .string(track.language)])
                added += 1
            } catch {
                logger.warning("a subtitle track could not be added", metadata: [
                    "track": "\(track.trackId)", "language": "\(track.language)", "error": "\(error)"])
            }
        }
        var selected = plan.additions.first(where: \.select).map { "\($0.track.language) \($0.track.trackId)" } ?? "none"
        if let stream = plan.selectEmbeddedStream, !Task.isCancelled {
            if await selectEmbedded(stream: stream, in: player) {
                selected = "stream \(stream)"
            } else {
                logger.warning("the preferred embedded subtitle track was not found in mpv", metadata: ["stream": "\(stream)"])
            }
        }
        logger.info("subtitles added", metadata: ["count": "\(added)", "selected": "\(selected)"])
    }

    /// Selects mpv's own subtitle track of the file's stream `stream` (mpv's `ff-index`).
    private static func selectEmbedded(stream: Int, in player: MPVPlayer) async -> Bool {
        guard case .array(let tracks)? = try? await player.command([.string("get_property"), .string("track-list")]) else { return false }
        for case .object(let track) in tracks
        where track["type"] == .string("sub") && track["external"]?.boolValue != true && track["ff-index"]?.doubleValue == Double(stream) {
            guard let id = track["id"]?.doubleValue else { return false }
            return (try? await player.command([.string("set_property"), .string("sid"), .number(id)])) != nil
        }
        return false
    }
}
