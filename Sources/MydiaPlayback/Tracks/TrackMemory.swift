public import Foundation
import Synchronization

/// The audio and subtitle tracks chosen per show, so the next episode starts with the same ones
/// (`tracks.json` in the client's state directory: `$MYDIA_STATE_DIR`, else
/// `$XDG_STATE_HOME/mydia-tui`, else `~/.local/state/mydia-tui`; directory 0700, file 0600,
/// written atomically). A missing or unreadable file is an empty memory; at most 1000 shows are
/// kept (the least recently played go).
public final class TrackMemory: Sendable {
    private struct Entry: Codable {
        var selection: TrackSelection
        var playedAt: Double
    }

    /// The file.
    public let url: URL
    // One process writes it at a time in practice; the lock keeps this one's reads and writes whole.
    private let lock = Mutex(())
    static let capacity = 1000

    /// A memory in `file`.
    public init(file: URL) {
        url = file
    }

    /// The memory in the state directory of `environment`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> TrackMemory {
        TrackMemory(file: stateDirectory(environment: environment).appendingPathComponent("tracks.json"))
    }

    /// `$MYDIA_STATE_DIR`, else `$XDG_STATE_HOME/mydia-tui`, else `~/.local/state/mydia-tui`.
    public static func stateDirectory(environment: [String: String]) -> URL {
        if let explicit = environment["MYDIA_STATE_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit, isDirectory: true) }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("mydia-tui", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".local/state/mydia-tui", isDirectory: true)
    }

    /// What was chosen for `showID`, if anything.
    public func selection(forShow showID: String) -> TrackSelection? {
        lock.withLock { _ in read()[showID]?.selection }
    }

    /// Remembers `selection` for `showID` (an empty selection forgets it). Failures are ignored:
    /// remembering is a convenience.
    public func remember(_ selection: TrackSelection, forShow showID: String, now: Date = Date()) {
        lock.withLock { _ in
            var entries = read()
            if selection.audio == nil, selection.subtitle == nil {
                entries.removeValue(forKey: showID)
            } else {
                entries[showID] = Entry(selection: selection, playedAt: now.timeIntervalSince1970)
            }
            if entries.count > Self.capacity {
                for key in entries.sorted(by: { $0.value.playedAt < $1.value.playedAt }).prefix(entries.count - Self.capacity).map(\.key) {
                    entries.removeValue(forKey: key)
                }
            }
            write(entries)
        }
    }

    private func read() -> [String: Entry] {
        guard let data = try? Data(contentsOf: url), data.count < 4 << 20 else { return [:] }
        return (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
    }

    private func write(_ entries: [String: Entry]) {
        let directory = url.deletingLastPathComponent()
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let data = try JSONEncoder().encode(entries)
            let partial = directory.appendingPathComponent(".tracks.\(UUID().uuidString).partial")
            guard manager.createFile(atPath: partial.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
            if rename(partial.path, url.path) != 0 { try? manager.removeItem(at: partial) }
        } catch {
            return
        }
    }
}
