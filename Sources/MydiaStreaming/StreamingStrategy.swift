/// How a file becomes HLS (PROTOCOL.md §7 `StreamingStrategy`).
public enum StreamingStrategy: String, Sendable, Codable, CaseIterable {
    /// Remux without re-encoding (`-c copy`); the playlist is complete before the session starts.
    case hlsCopy = "HLS_COPY"
    /// Re-encode; segments may be listed ahead of production.
    case transcode = "TRANSCODE"
}
