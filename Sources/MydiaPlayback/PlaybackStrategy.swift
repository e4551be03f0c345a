public import MydiaAPI

/// How an item's media reaches the player (PROTOCOL.md §14.2.6): the file itself by byte ranges,
/// or an HLS session that copies or re-encodes its streams.
public enum PlaybackStrategy: String, Sendable, Hashable, CaseIterable {
    /// `GET /api/v1/stream/file/{id}?strategy=DIRECT_PLAY`: no streaming session; mpv seeks by `Range`.
    case directPlay = "direct"
    /// An HLS session, streams copied (`HLS_COPY`).
    case hlsCopy = "hls-copy"
    /// An HLS session, streams re-encoded (`TRANSCODE`).
    case transcode = "transcode"

    /// The name on the command line (`--strategy`) and in `play --events json`: `direct`,
    /// `hls-copy`, `transcode`.
    public var name: String { rawValue }

    /// The streaming session strategy, for the HLS ones.
    public var streaming: StreamingStrategy? {
        switch self {
        case .directPlay: nil
        case .hlsCopy: .hlsCopy
        case .transcode: .transcode
        }
    }

    /// The strategy of an HLS session.
    public init(_ streaming: StreamingStrategy) {
        switch streaming {
        case .hlsCopy: self = .hlsCopy
        case .transcode: self = .transcode
        }
    }

    /// The strategy of a `streamingCandidates` entry this client plays; `nil` for `REMUX` (a
    /// progressive remux this client does not ask for) and for strategies it does not know.
    public init?(_ candidate: CandidateStrategy?) {
        switch candidate {
        case .directPlay?: self = .directPlay
        case .hlsCopy?: self = .hlsCopy
        case .transcode?: self = .transcode
        case .remux?, nil: return nil
        }
    }
}
