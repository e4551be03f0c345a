import MydiaAPI
import MydiaPlayback

/// Starting playback from the UI: where a partly watched item starts (`[player] resume`: auto,
/// ask with the resume overlay, never) and what Enter says when there is no player.
extension AppState {
    mutating func noPlayer() -> Effect {
        message = Message("Playback is not available in this build — use another client to play.", isError: true)
        return .saveCache
    }

    mutating func play(_ kind: MediaKind, id: String, title: String, files: [MediaFile], progress: MydiaAPI.Progress?,
                       tracks: TrackSelection = TrackSelection()) -> [Effect] {
        guard playbackAvailable else { return [noPlayer()] }
        guard let file = files.first else {
            message = Message("\(title) has no playable file on the server.", isError: true)
            return []
        }
        let stored = Self.resumable(progress)
        let request = PlaybackRequest(kind: kind, itemID: id, fileID: file.id, title: title, tracks: tracks)
        switch (resumeMode, stored) {
        case (.ask, let position?):
            overlay = .resume(request, position: position)
            return []
        case (.auto, let position?):
            return start(request, at: position)
        case (.never, _):
            return start(request, at: 0)
        case (_, nil):
            return start(request, at: nil)  // nothing stored here; the player checks the server's position
        }
    }

    /// Where a partly watched item would resume, in seconds: nil when it was finished, barely
    /// begun (under 5 s) or nearly done (90 %).
    static func resumable(_ progress: MydiaAPI.Progress?) -> Double? {
        progress.flatMap { p -> Double? in
            let position = Double(p.positionSeconds)
            let nearEnd = (p.durationSeconds ?? 0) > 0 && position >= 0.9 * Double(p.durationSeconds ?? 0)
            return p.watched || p.positionSeconds < 5 || nearEnd ? nil : position
        }
    }

    /// Hands `request` to the player at `position` seconds (nil: where the server's stored position
    /// says; a number is an explicit start and the player does not resume on its own).
    mutating func start(_ request: PlaybackRequest, at position: Double?) -> [Effect] {
        var request = request
        request.startPosition = position
        message = Message("Starting \(request.title)…")
        return [.play(request)]
    }
}
