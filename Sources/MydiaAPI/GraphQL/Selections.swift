// Selection sets shared by the operations, in stock Mydia's dialect (PROTOCOL.md §14.1). Each takes
// the server generation: the 2026-07-01 one lacks some fields (§14.2.8).

struct Selections {
    let generation: ServerGeneration
    private var current: Bool { generation == .current }

    /// A file in lists: what the detail line shows.
    var file: String {
        current ? "id resolution codec audioCodec size bitrate duration container" : "id resolution codec audioCodec size bitrate"
    }

    /// A file in detail and play queries: also direct-play support and subtitle tracks.
    var fileDetail: String {
        let tracks = current
            ? "trackId language title format embedded deliverable forced hearingImpaired url(format: VTT)"
            : "trackId language title format embedded url(format: VTT)"
        return "\(file) directPlaySupported subtitles { \(tracks) }" + (current ? " segments { type startMs endMs } \(streams)" : "")
    }

    /// A file's streams (the play menu's audio tracks); current servers only.
    let streams = "streams { type index codec language title isDefault isForced isHearingImpaired isCommentary channels }"

    let progress = "positionSeconds durationSeconds percentage watched lastWatchedAt"
    let artwork = "artwork { posterUrl thumbnailUrl }"

    func movie(files: String) -> String {
        "id title originalTitle year addedAt rating overview runtime genres \(artwork) progress { \(progress) } files { \(files) }"
    }

    func episode(files: String) -> String {
        "id seasonNumber episodeNumber title overview airDate runtime progress { \(progress) } files { \(files) } show { id title }"
    }

    var show: String {
        "id title originalTitle year addedAt rating genres overview status seasonCount episodeCount seasons { seasonNumber episodeCount } "
            + "nextEpisode { \(episode(files: file)) } \(artwork)"
    }

    let pageInfo = "pageInfo { hasNextPage endCursor } totalCount"

    var searchResults: String {
        current
            ? "totalCount sections { type totalCount results { id type title year subtitle seasonNumber episodeNumber parentId } }"
            : "totalCount results { id type title year }"
    }

    var continueItem: String {
        "id type title progress { \(progress) } showId showTitle seasonNumber episodeNumber" + (current ? " files { \(file) }" : "")
    }

    var recentlyAddedItem: String {
        "id type title year \(artwork) addedAt" + (current ? " latestSeasonNumber latestEpisodeNumber" : "")
    }

    var device: String { "id deviceName platform createdAt lastSeenAt isRevoked" + (current ? " online" : "") }

    var streamingSession: String { current ? "sessionId duration startPosition playlistMode" : "sessionId duration" }

    var watchedItem: String { "id progress { \(progress) }" }

    var upNextItem: String { "episode { \(episode(files: file)) } show { id title } progressState" }
}
