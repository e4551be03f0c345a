/// Where a download stands, as ``DownloadEngine/updates`` publishes it (a progress bar: bytes,
/// rate, ETA).
public struct DownloadProgress: Sendable, Hashable {
    /// What the engine is doing.
    public enum Phase: Sendable, Hashable {
        /// Looking the item up, checking the partial file and the free space.
        case preparing
        /// Fetching the file's bytes.
        case downloading
        /// The server's file changed since the partial bytes were fetched: starting over.
        case restarted
        /// Fetching the subtitle tracks.
        case subtitles
        /// Done: the file is in place.
        case complete
        /// Stopped with this one-sentence reason (the partial file is kept or removed as it says).
        case failed(String)
    }

    /// The item id.
    public var itemID: String
    /// The item's title, once known.
    public var title: String
    public var phase: Phase
    /// Bytes on disk so far (those of an earlier, resumed run included).
    public var bytes: Int64
    /// The file's size, once the server said.
    public var total: Int64?
    /// Bytes per second over the last few seconds of this run.
    public var bytesPerSecond: Double
    /// Bytes this run resumed from (0 for a fresh start).
    public var resumedFrom: Int64

    /// A progress report (the engine makes them; views and tests may too).
    public init(itemID: String, title: String, phase: Phase, bytes: Int64, total: Int64?, bytesPerSecond: Double, resumedFrom: Int64) {
        self.itemID = itemID
        self.title = title
        self.phase = phase
        self.bytes = bytes
        self.total = total
        self.bytesPerSecond = bytesPerSecond
        self.resumedFrom = resumedFrom
    }

    /// Seconds until done at the current rate, when both are known.
    public var secondsLeft: Double? {
        guard let total, bytesPerSecond > 0, total >= bytes else { return nil }
        return Double(total - bytes) / bytesPerSecond
    }

    /// 0…1, when the size is known.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(bytes) / Double(total))
    }
}

/// A sliding-window rate: samples of (clock offset, bytes) over the last ``window``.
struct RateMeter {
    static let window: Duration = .seconds(3)
    private var samples: [(at: Duration, bytes: Int64)] = []

    mutating func add(at now: Duration, bytes: Int64) {
        samples.append((now, bytes))
        while let first = samples.first, now - first.at > Self.window, samples.count > 2 { samples.removeFirst() }
    }

    var bytesPerSecond: Double {
        guard let first = samples.first, let last = samples.last, last.at > first.at else { return 0 }
        let seconds = Double((last.at - first.at).components.seconds) + Double((last.at - first.at).components.attoseconds) / 1e18
        return Double(last.bytes - first.bytes) / seconds
    }
}
