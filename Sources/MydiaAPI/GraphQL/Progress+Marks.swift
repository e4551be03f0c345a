extension Progress {
    /// `progress` after a watched (at the end) or unwatched (at the start) mark, as a server
    /// stores it: the duration is kept, the position goes to it or to 0.
    public static func marked(_ progress: Progress?, watched: Bool) -> Progress {
        let duration = progress?.durationSeconds
        return Progress(positionSeconds: watched ? duration ?? 0 : 0, durationSeconds: duration,
                        percentage: watched ? 100 : 0, watched: watched, lastWatchedAt: progress?.lastWatchedAt)
    }
}
