// Selection sets shared by the operations, spelled with the instance's exact field names
// (PROTOCOL.md §7, §11.8, §12.17).
enum Selections {
    static let file = "id resolution codec audioCodec size bitrate duration"
    static let progress = "positionSeconds durationSeconds percentage watched lastWatchedAt"
    static let artwork = "artwork { posterUrl thumbnailUrl }"
    static let movie = """
        id title year overview runtime genres \(artwork) progress { \(progress) } files { \(file) }
        """
    static let episode = """
        id showId seasonNumber episodeNumber title overview airDate runtime progress { \(progress) } files { \(file) }
        """
    static let show = """
        id title year overview status seasonCount episodeCount seasons { seasonNumber episodeCount } \
        nextEpisode { \(episode) } \(artwork)
        """
    static let pageInfo = "pageInfo { hasNextPage endCursor } totalCount"
    static let searchItem = "id type title year subtitle seasonNumber episodeNumber parentId"
    static let continueItem = """
        id type title progress { \(progress) } showId showTitle seasonNumber episodeNumber files { \(file) }
        """
    static let device = "id deviceName platform createdAt lastSeenAt revoked current"
    static let token = "token expiresAt"
}
