/// `enum StreamingStrategy { HLS_COPY TRANSCODE }` (PROTOCOL.md §7).
public enum StreamingStrategyChoice: String, Codable, Sendable, CaseIterable {
    /// Remux without re-encoding.
    case hlsCopy = "HLS_COPY"
    /// Re-encode.
    case transcode = "TRANSCODE"
}

/// A streaming session the HLS layer started.
public struct StartedStreamingSession: Sendable, Equatable {
    /// Id used in `/api/v1/hls/{session_id}/…`.
    public var sessionID: String
    /// Seconds of media in the playlist.
    public var duration: Double
    /// Where the player should start (seconds).
    public var startPosition: Double
    /// Whether the playlist covers the whole file (`true`, FULL) or a growing window.
    public var coversWholeFile: Bool
    /// The output height ceiling actually applied, `nil` = the source's.
    public var maxHeight: Int?

    /// Creates a value from its parts.
    public init(sessionID: String, duration: Double, startPosition: Double, coversWholeFile: Bool = true, maxHeight: Int? = nil) {
        self.sessionID = sessionID
        self.duration = duration
        self.startPosition = startPosition
        self.coversWholeFile = coversWholeFile
        self.maxHeight = maxHeight
    }
}

/// What `startStreamingSession` / `endStreamingSession` delegate to; the server wires it to its
/// HLS module. Errors thrown here reach the client as GraphQL errors (their description is the message).
public protocol StreamingSessionProvider: Sendable {
    /// Starts an HLS session for `file`.
    /// - Parameters:
    ///   - file: the file to play (absolute `url`, probed `duration`, codecs).
    ///   - strategy: what the client asked for; `nil` = the server chooses.
    ///   - startPosition: where the player will start, seconds; `nil` = 0.
    ///   - maxHeight: an output height ceiling (applied when transcoding); `nil` = none.
    func start(file: MediaFileRecord, strategy: StreamingStrategyChoice?, startPosition: Double?, maxHeight: Int?) async throws
        -> StartedStreamingSession

    /// Ends a session. Returns `false` when no such session exists.
    func end(sessionID: String) async throws -> Bool
}
