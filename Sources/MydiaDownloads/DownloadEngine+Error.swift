import Foundation

extension DownloadEngine {
    /// Why a download stopped; `description` is one plain sentence that says what to do.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The free space checked before writing is less than the file needs.
        case insufficientSpace(title: String, needed: Int64, available: Int64, folder: String)
        /// The disk filled up mid-way; the partial file was removed.
        case diskFull(title: String, folder: String)
        /// The server answered the file request with this status.
        case refused(title: String, status: Int)
        /// The connection failed and retries ran out; the partial file is kept for a resume.
        case interrupted(title: String, reason: String)
        /// Another process is downloading the same item.
        case busy(title: String)
        /// The download folder cannot be written.
        case storage(String)

        public var description: String {
            switch self {
            case .insufficientSpace(let title, let needed, let available, let folder):
                "Not enough free disk space for “\(title)”: it needs \(Self.size(needed)) and \(Self.size(available)) are free in \(folder) — free some space and run the download again."
            case .diskFull(let title, let folder):
                "The disk filled up while downloading “\(title)”; the partial download was removed from \(folder) — free some space and run the download again."
            case .refused(let title, let status):
                "The server would not send the file of “\(title)” (HTTP \(status)) — check that it still plays with `mydia-tui play`."
            case .interrupted(let title, let reason):
                "The download of “\(title)” was interrupted (\(reason)); what arrived is kept — run the same command again to resume it."
            case .busy(let title):
                "“\(title)” is already being downloaded by another mydia-tui — wait for it to finish."
            case .storage(let why):
                why
            }
        }

        /// `1.2 GB`, `340 MB`, `12 kB` (SI units, as disk sizes are sold).
        static func size(_ bytes: Int64) -> String {
            let value = Double(max(0, bytes))
            if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
            if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
            return String(format: "%.0f kB", (value / 1e3).rounded(.up))
        }
    }
}
