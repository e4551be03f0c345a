import Foundation
public import Logging
public import MydiaPlayback
import MydiaSystem

/// Progress of offline playback that the server did not store before `play` ended, kept in the
/// downloads folder (`.progress.json`, 0600) until a later command reaches the server. Only the
/// newest report per item is kept (PROTOCOL.md §14.1), and a report never replaces a newer one.
public struct ProgressBacklog: Sendable {
    struct Entry: Codable, Equatable {
        var kind: String
        var itemKind: String
        var itemID: String
        var position: Double
        var duration: Double
        var observedAt: Date
    }

    let file: URL
    let logger: Logger

    public init(directory: DownloadDirectory = .standard(), logger: Logger = Logger(label: "mydia.downloads")) {
        file = directory.progressBacklog
        self.logger = logger
        _ = directory
    }

    /// Reports waiting, oldest first.
    public var pending: [ProgressReport] {
        load().compactMap { entry in
            guard let kind = ProgressReport.Kind(rawValue: entry.kind), let itemKind = PlaybackItem.Reference.Kind(rawValue: entry.itemKind) else { return nil }
            return ProgressReport(kind: kind, item: .init(kind: itemKind, id: entry.itemID), position: entry.position,
                                  duration: entry.duration, observedAt: entry.observedAt)
        }
    }

    /// Adds `reports` (the newest per item wins).
    public func add(_ reports: [ProgressReport]) {
        guard !reports.isEmpty else { return }
        var entries = load()
        for report in reports {
            let entry = Entry(kind: report.kind.rawValue, itemKind: report.item.kind.rawValue, itemID: report.item.id,
                              position: report.position, duration: report.duration, observedAt: report.observedAt)
            if let old = entries.firstIndex(where: { $0.itemID == entry.itemID && $0.itemKind == entry.itemKind }) {
                guard entries[old].observedAt <= entry.observedAt else { continue }
                entries.remove(at: old)
            }
            entries.append(entry)
        }
        save(entries)
    }

    /// Sends every waiting report to `sink`, in order, and forgets those stored; stops at the
    /// first refusal (the server is still away). - Returns: how many were stored.
    /// - Parameter superseding: the item a playback starting now reports on: its waiting report is
    ///   dropped, never sent after the newer ones of that playback (PROTOCOL.md §14.1).
    @discardableResult
    public func deliver(to sink: any ProgressSink, superseding itemID: String? = nil) async -> Int {
        if let itemID, load().contains(where: { $0.itemID == itemID }) {
            save(load().filter { $0.itemID != itemID })
        }
        let reports = pending
        var stored = 0
        for report in reports {
            do {
                try await sink.store(report)
                if report.kind == .stop, report.position >= report.duration * ProgressReporter.watchedFraction {
                    try? await sink.markWatched(report.item)
                }
                stored += 1
            } catch {
                logger.info("queued progress not delivered yet", metadata: ["error": "\(error)"])
                break
            }
        }
        if stored > 0 {
            // Reports added meanwhile (another process) are kept: only the delivered ones go.
            let delivered = reports.prefix(stored)
            save(load().filter { entry in !delivered.contains { $0.item.id == entry.itemID && $0.observedAt == entry.observedAt } })
        }
        return stored
    }

    private func load() -> [Entry] {
        guard let bytes = try? PrivateFile.read(file.path, logger: logger) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return (try? decoder.decode([Entry].self, from: Data(bytes))) ?? []
    }

    private func save(_ entries: [Entry]) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            try PrivateFile.ensureDirectory(file.deletingLastPathComponent().path, logger: logger)
            if entries.isEmpty {
                try? FileManager.default.removeItem(at: file)
                return
            }
            try PrivateFile.writeAtomically(Array(try encoder.encode(entries)), to: file.path)
        } catch {
            logger.warning("offline progress could not be saved", metadata: ["error": "\(error)"])
        }
    }
}
