/// Readings of a file's facts that several answers need (`MediaFile`, `StreamingMetadata`, the
/// direct-play route's content type).
extension MediaFileRecord {
    /// Width of the first video stream in pixels, from ``resolution``.
    public var width: Int? { dimensions?.width }

    /// Height of the first video stream in pixels, from ``resolution``.
    public var height: Int? { dimensions?.height }

    /// A resolution label as stock Mydia shows it (`2160p`, `1080p`, `720p`, `480p`, else the
    /// height with `p`): wide films with fewer lines (1920×800) still count as their class.
    public var resolutionLabel: String? {
        guard let (w, h) = dimensions else { return nil }
        if w >= 3200 || h >= 1800 { return "2160p" }
        if w >= 1800 || h >= 1000 { return "1080p" }
        if w >= 1200 || h >= 700 { return "720p" }
        if w >= 700 || h >= 560 { return h >= 560 ? "576p" : "480p" }
        return "\(h)p"
    }

    /// The content type the file is served with, from its container (`video/x-matroska`, …).
    public var contentType: String { MediaContainer.mimeType(container) }

    /// The first video stream, cover art excluded.
    public var videoStream: MediaStreamFacts? { streams.first { $0.kind == .video } }

    /// The first audio stream.
    public var audioStream: MediaStreamFacts? { streams.first { $0.kind == .audio } }

    private var dimensions: (width: Int, height: Int)? {
        guard let resolution else { return nil }
        let parts = resolution.split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        return (w, h)
    }
}
