/// How a file becomes HLS (PROTOCOL.md §7 `StreamingStrategy`).
public enum StreamingStrategy: String, Sendable, Codable, CaseIterable {
    /// Remux without re-encoding (`-c copy`), cut at the source's keyframes; segments are made as
    /// the player needs them (PROTOCOL.md §14.4).
    case hlsCopy = "HLS_COPY"
    /// Re-encode, with a keyframe forced at every segment start; segments are made as the player
    /// needs them.
    case transcode = "TRANSCODE"
}
