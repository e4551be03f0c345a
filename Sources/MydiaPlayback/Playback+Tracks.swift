import Foundation
import Logging
import MydiaAPI

extension Playback {
    /// mpv's tracks of the current file; empty without mpv.
    public func tracks() async throws -> [PlayerTrack] {
        guard let player else { return [] }
        guard case .array(let list)? = try await player.command([.string("get_property"), .string("track-list")]) else { return [] }
        return list.compactMap(PlayerTrack.init)
    }

    /// Moves to the next audio track, from the last back to the first (never to none, as mpv's
    /// `cycle aid` would), and remembers it for the show; returns the one playing now.
    @discardableResult
    public func cycleAudio() async throws -> PlayerTrack? {
        let audio = try await tracks().filter { $0.kind == .audio }
        guard let player, !audio.isEmpty else { return nil }
        let current = audio.firstIndex(where: \.selected) ?? -1
        let next = audio[(current + 1) % audio.count]
        try await player.command([.string("set_property"), .string("aid"), .number(Double(next.id))])
        return await rememberSelected(.audio)
    }

    /// Moves to the next subtitle track, then none, then the first again (`cycle sid`), and
    /// remembers it for the show; returns the one shown now (nil: none).
    @discardableResult
    public func cycleSubtitles() async throws -> PlayerTrack? {
        guard let player else { return nil }
        try await player.command([.string("cycle"), .string("sid")])
        return await rememberSelected(.sub)
    }

    /// Selects mpv's track `id` of `kind` (nil: none), and remembers it for the show.
    public func selectTrack(_ kind: PlayerTrack.Kind, id: Int?) async throws {
        guard let player, kind != .video else { return }
        try await player.command([.string("set_property"), .string(kind == .audio ? "aid" : "sid"), id.map { .number(Double($0)) } ?? .string("no")])
        await rememberSelected(kind)
    }

    /// Stores the track of `kind` playing now as the show's choice: its language when it has
    /// one, else its number, else off. Returns that track.
    @discardableResult
    private func rememberSelected(_ kind: PlayerTrack.Kind) async -> PlayerTrack? {
        let selected = (try? await tracks())?.first { $0.kind == kind && $0.selected }
        let choice: TrackSelection.Choice
        if let selected {
            choice = selected.language.flatMap { $0 == "und" ? nil : SubtitleLanguage($0) }.map { .language($0.code) } ?? .number(selected.id)
        } else {
            choice = .off
        }
        if kind == .audio { trackSelection.audio = choice } else { trackSelection.subtitle = choice }
        rememberTracks()
        return selected
    }

    /// Saves the current selection for the current episode's show.
    func rememberTracks() {
        guard let memory = options.trackMemory, case .episode(let episode)? = item, let show = episode.showId else { return }
        memory.remember(trackSelection, forShow: show)
    }

    /// The selection an item starts with: what was asked for, the rest from the show's memory.
    func startingTracks(for item: PlaybackItem) -> TrackSelection {
        guard case .episode(let episode) = item, let show = episode.showId, let memory = options.trackMemory else { return options.tracks }
        return options.tracks.over(memory.selection(forShow: show))
    }
}
