/// The posters the UI knows about, part of `AppState`: which URLs are loading, decoded or
/// failed. Decoded images are kept for the last `capacity` URLs (a few hundred kilobytes each);
/// the disk cache holds the rest.
public struct ArtworkShelf: Sendable {
    /// One URL's state.
    public enum Status: Sendable {
        case loading
        case ready(DecodedImage)
        case failed
    }

    /// How posters are drawn (mode `off`: never fetched).
    public var settings: PosterSettings
    /// By artwork URL.
    public private(set) var entries: [String: Status] = [:]
    /// Decoded URLs, oldest first.
    private var order: [String] = []
    /// Decoded images kept in memory.
    public static let capacity = 48

    /// An empty shelf.
    public init(settings: PosterSettings = PosterSettings()) { self.settings = settings }

    /// The status of `url`.
    public subscript(url: String) -> Status? { entries[url] }

    /// The decoded image of `url`, if ready.
    public func image(_ url: String) -> DecodedImage? {
        if case .ready(let image) = entries[url] { return image }
        return nil
    }

    mutating func markLoading(_ url: String) { entries[url] = .loading }

    mutating func forget(_ url: String) {
        entries.removeValue(forKey: url)
        order.removeAll { $0 == url }
    }

    mutating func store(_ url: String, _ outcome: ArtworkOutcome) {
        switch outcome {
        case .ready(let image):
            entries[url] = .ready(image)
            order.removeAll { $0 == url }
            order.append(url)
            while order.count > Self.capacity { entries.removeValue(forKey: order.removeFirst()) }
        case .failed:
            entries[url] = .failed
        case .superseded:
            forget(url)
        }
    }
}

/// How a poster fetch ended.
public enum ArtworkOutcome: Sendable {
    /// Fetched (or read from the disk cache) and decoded.
    case ready(DecodedImage)
    /// Could not be fetched or decoded; one sentence for the log.
    case failed(String)
    /// A newer request took its place before it started; it may be asked for again.
    case superseded
}

/// What to fetch, and the box it will be drawn in (so the fetch task renders it in advance and
/// the frame after the event finds it ready).
public struct ArtworkRequest: Sendable, Hashable {
    /// The artwork URL: instance-relative (`/api/…`) or absolute `https://`.
    public var url: String
    /// The detail pane's poster box.
    public var box: PosterBox
    /// How it will be drawn.
    public var settings: PosterSettings

    public init(url: String, box: PosterBox, settings: PosterSettings) {
        self.url = url
        self.box = box
        self.settings = settings
    }
}
