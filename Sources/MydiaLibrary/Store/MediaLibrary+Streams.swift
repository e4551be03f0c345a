import Foundation
import GRDB

/// The `media_streams` table: one row per recorded stream of a file, replaced whenever the file
/// is probed again, removed with the file (ON DELETE CASCADE).
extension MediaLibrary {
    /// Replaces the streams recorded for `fileID`.
    static func saveStreams(_ db: Database, fileID: String, _ streams: [MediaStreamFacts]) throws {
        try db.execute(sql: "DELETE FROM media_streams WHERE file_id = ?", arguments: [fileID])
        for s in streams {
            try db.execute(sql: """
                INSERT OR REPLACE INTO media_streams (file_id, stream_index, kind, codec, profile, level, language,
                    title, is_default, is_forced, is_hearing_impaired, is_commentary, width, height, channels)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [fileID, s.index, s.kind.rawValue, s.codec, s.profile, s.level, s.language, s.title,
                                 s.isDefault, s.isForced, s.isHearingImpaired, s.isCommentary, s.width, s.height,
                                 s.channels])
        }
    }

    /// The streams of the given files (all files when `fileIDs` is `nil`), by file id, in index order.
    static func streams(_ db: Database, fileIDs: [String]?) throws -> [String: [MediaStreamFacts]] {
        let rows: [Row]
        if let fileIDs {
            guard !fileIDs.isEmpty else { return [:] }
            let marks = Array(repeating: "?", count: fileIDs.count).joined(separator: ",")
            rows = try Row.fetchAll(db, sql: """
                SELECT * FROM media_streams WHERE file_id IN (\(marks)) ORDER BY file_id, stream_index
                """, arguments: StatementArguments(fileIDs))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM media_streams ORDER BY file_id, stream_index")
        }
        var map: [String: [MediaStreamFacts]] = [:]
        for row in rows {
            guard let kind = MediaStreamFacts.Kind(rawValue: row["kind"]) else { continue }
            let fileID: String = row["file_id"]
            map[fileID, default: []].append(MediaStreamFacts(
                index: row["stream_index"], kind: kind, codec: row["codec"], profile: row["profile"], level: row["level"],
                language: row["language"], title: row["title"], isDefault: row["is_default"], isForced: row["is_forced"],
                isHearingImpaired: row["is_hearing_impaired"], isCommentary: row["is_commentary"], width: row["width"],
                height: row["height"], channels: row["channels"]))
        }
        return map
    }

    /// File records for `rows` of `media_files`, with their streams.
    static func fileRecords(_ db: Database, rows: [Row], root: URL, allStreams: Bool = false) throws -> [MediaFileRecord] {
        let ids = rows.map { $0["id"] as String }
        let streams = try Self.streams(db, fileIDs: allStreams ? nil : ids)
        return rows.map { row in MediaFileRecord(row: row, root: root, streams: streams[row["id"] as String] ?? []) }
    }
}
