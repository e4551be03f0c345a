import Foundation
public import Logging
import MydiaSystem

/// The downloads on disk: what is complete, what is in progress, and removing them. Every call
/// reads the folder afresh (cheap: one `download.json` per download), so two processes agree.
///
/// ```swift
/// let store = DownloadStore(directory: .standard())
/// store.isDownloaded("m1")            // a marker in lists
/// for record in store.list() { … }    // `downloads`
/// ```
public struct DownloadStore: Sendable {
    /// Why a download could not be removed; `description` is one plain sentence.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(String)
        case removal(String)

        public var description: String {
            switch self {
            case .notFound(let id): "Nothing with the id \(id) is downloaded — see `mydia-tui downloads`."
            case .removal(let why): why
            }
        }
    }

    /// The folder.
    public let directory: DownloadDirectory
    let logger: Logger

    public init(directory: DownloadDirectory = .standard(), logger: Logger = Logger(label: "mydia.downloads")) {
        self.directory = directory
        self.logger = logger
    }

    static let recordName = "download.json"

    /// Every download, complete ones first (by title), then those in progress with the bytes so far.
    public func list() -> [DownloadRecord] {
        let complete = folders(in: directory.root).compactMap { completeRecord(folder: $0) }
        let partial = folders(in: directory.partialRoot).compactMap { partialRecord(folder: $0) }
        return complete.sorted { $0.title < $1.title } + partial.sorted { $0.title < $1.title }
    }

    /// The complete download of `itemID`, if there is one.
    public func record(_ itemID: String) -> DownloadRecord? {
        completeRecord(folder: directory.completeFolder(itemID))
    }

    /// The download of `itemID` in progress, if any, with the bytes written so far.
    public func partialRecord(_ itemID: String) -> DownloadRecord? {
        partialRecord(folder: directory.partialFolder(itemID))
    }

    /// Whether `itemID` is downloaded completely (its file is there).
    public func isDownloaded(_ itemID: String) -> Bool {
        record(itemID) != nil
    }

    /// The ids of every complete download (for markers in long lists: one read of the folder).
    public func downloadedIDs() -> Set<String> {
        Set(folders(in: directory.root).compactMap { completeRecord(folder: $0)?.id })
    }

    /// Removes `itemID`'s download, complete or in progress. - Returns: the record removed.
    @discardableResult
    public func remove(_ itemID: String) throws(Error) -> DownloadRecord {
        let complete = record(itemID)
        let partial = partialRecord(itemID)
        guard let found = complete ?? partial else { throw .notFound(itemID) }
        for folder in [directory.completeFolder(itemID), directory.partialFolder(itemID)]
        where FileManager.default.fileExists(atPath: folder.path) {
            do { try FileManager.default.removeItem(at: folder) } catch {
                throw .removal("Could not remove \(folder.path): \(error.localizedDescription)")
            }
        }
        try? FileManager.default.removeItem(at: directory.lockFile(itemID))
        return found
    }

    // MARK: - Reading

    private func folders(in parent: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        return names.filter { ($0.hasPrefix("item-") || $0.hasPrefix("hex-")) && !$0.hasSuffix(".lock") }
            .map { parent.appendingPathComponent($0, isDirectory: true) }
    }

    func readRecord(folder: URL) -> DownloadRecord? {
        let bytes: [UInt8]?
        do { bytes = try PrivateFile.read(folder.appendingPathComponent(Self.recordName).path, logger: logger) } catch {
            logger.warning("a download's record cannot be read", metadata: ["folder": "\(folder.path)", "error": "\(error)"])
            return nil
        }
        guard let bytes, let record = try? JSONDecoder().decode(DownloadRecord.self, from: Data(bytes)) else { return nil }
        // The folder must be the one its id names: a record copied elsewhere is not trusted.
        guard folder.lastPathComponent == DownloadDirectory.folderName(record.id) else { return nil }
        return record
    }

    private func completeRecord(folder: URL) -> DownloadRecord? {
        guard var record = readRecord(folder: folder), record.complete else { return nil }
        let name = URL(fileURLWithPath: record.path).lastPathComponent
        let file = folder.appendingPathComponent(name)
        guard let size = Self.regularFileSize(file.path) else { return nil }
        record.path = file.path
        record.bytes = size
        return record
    }

    private func partialRecord(folder: URL) -> DownloadRecord? {
        guard var record = readRecord(folder: folder) else { return nil }
        let file = folder.appendingPathComponent(DownloadEngine.partName)
        record.complete = false
        record.path = file.path
        record.bytes = Self.regularFileSize(file.path) ?? 0
        return record
    }

    static func regularFileSize(_ path: String) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? NSNumber else { return nil }
        return size.int64Value
    }
}
