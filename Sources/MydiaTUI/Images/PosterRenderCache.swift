import Synchronization

/// Rendered posters by (URL, box, settings), so a frame redrawn on every key press renders each
/// poster once: the fetch task fills it ahead of the event, the view reads it. Least recently
/// used entries go beyond `capacity`.
public final class PosterRenderCache: Sendable {
    struct Key: Hashable {
        var url: String
        var box: PosterBox
        var settings: PosterSettings
    }

    struct State {
        var entries: [Key: (art: PosterArt, use: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    /// The cache the views use.
    public static let shared = PosterRenderCache()
    /// Entries kept.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache of `capacity` rendered posters.
    public init(capacity: Int = 96) { self.capacity = max(capacity, 1) }

    /// The poster for `url` in `box`, rendering `image` when it is not cached yet.
    public func art(url: String, image: DecodedImage, box: PosterBox, settings: PosterSettings) -> PosterArt? {
        let key = Key(url: url, box: box, settings: settings)
        if let hit = lookup(key) { return hit }
        guard let art = Self.render(image, box: box, settings: settings) else { return nil }
        state.withLock { s in
            s.clock += 1
            s.entries[key] = (art, s.clock)
            if s.entries.count > capacity, let oldest = s.entries.min(by: { $0.value.use < $1.value.use })?.key {
                s.entries.removeValue(forKey: oldest)
            }
        }
        return art
    }

    /// Forgets every rendered poster (the benchmark measures first draws with it).
    public func removeAll() { state.withLock { $0.entries.removeAll() } }

    /// The cached poster, if rendered already (never renders).
    public func cached(url: String, box: PosterBox, settings: PosterSettings) -> PosterArt? {
        lookup(Key(url: url, box: box, settings: settings))
    }

    private func lookup(_ key: Key) -> PosterArt? {
        state.withLock { s in
            guard let hit = s.entries[key] else { return nil }
            s.clock += 1
            s.entries[key]?.use = s.clock
            return hit.art
        }
    }

    /// Renders `image` fitted into `box` (aspect kept) for the settings' mode.
    public static func render(_ image: DecodedImage, box: PosterBox, settings: PosterSettings) -> PosterArt? {
        let size = ChafaEncoder.fit(width: image.width, height: image.height, columns: box.columns, rows: box.rows,
                                    cellWidth: settings.cellWidth, cellHeight: settings.cellHeight)
        guard size.columns > 0, size.rows > 0 else { return nil }
        switch settings.mode {
        case .off: return nil
        case .symbols: return ChafaEncoder.symbols(image, columns: size.columns, rows: size.rows, palette: settings.palette)
        case .kitty, .sixel:
            return ChafaEncoder.sequence(image, mode: settings.mode, columns: size.columns, rows: size.rows,
                                         cellWidth: settings.cellWidth, cellHeight: settings.cellHeight,
                                         environment: settings.terminal.isEmpty ? ["TERM": "xterm-256color"] : settings.terminal)
        }
    }
}
