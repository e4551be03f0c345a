import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaDownloads
import Synchronization

extension EffectRunner {
    /// `d`: downloads an item over the open session (relay or direct), one at a time, its progress
    /// (percent, rate, time left) on the info line. Quitting stops it; the partial file stays and
    /// the next `d` (or `mydia-tui download ID`) resumes it.
    func download(id: String, title: String) {
        guard let session else {
            post.yield(.notice("Not connected to the server yet — try again in a moment.", isError: true))
            return
        }
        let token = UUID()
        let claimed = live.withLock { l -> Bool in
            guard l.downloadToken == nil else { return false }
            l.downloadToken = token
            return true
        }
        guard claimed else {
            post.yield(.notice("A download is running — wait for it to finish.", isError: true))
            return
        }
        let logger = self.logger
        let task = Task { [post] in
            let store = DownloadStore(logger: logger)
            let engine = DownloadEngine(store: store, api: session.api, manager: session.manager, logger: logger)
            let follower = Task {
                for await progress in engine.updates where progress.phase == .downloading {
                    post.yield(.notice(Self.progressLine(title: title, progress), isError: false))
                }
            }
            let outcome: Result<DownloadRecord, any Error>
            do { outcome = .success(try await engine.download(itemID: id)) } catch { outcome = .failure(error) }
            // Every progress line is posted before the last word (the stream ends with `close`).
            await engine.close()
            await follower.value
            switch outcome {
            case .success(let record):
                post.yield(.notice("Downloaded \(record.title) (\(Self.megabytes(record.bytes))) — it plays without the network now.", isError: false))
            case .failure(is CancellationError):
                logger.info("download stopped", metadata: ["item": "\(id)"])
            case .failure(let error):
                post.yield(.notice("\(title) was not downloaded: \(Self.sentence(error))", isError: true))
            }
            self.live.withLock { l in
                guard l.downloadToken == token else { return }
                l.downloadToken = nil
                l.download = nil
            }
        }
        live.withLock { l in if l.downloadToken == token { l.download = task } }
    }

    /// "Downloading Title — 45 % · 120 of 266 MB · 12.3 MB/s · 1 min left".
    static func progressLine(title: String, _ p: DownloadProgress) -> String {
        var parts: [String] = []
        if let fraction = p.fraction { parts.append("\(Int(fraction * 100)) %") }
        if let total = p.total { parts.append("\(megabytes(p.bytes)) of \(megabytes(total))") } else { parts.append(megabytes(p.bytes)) }
        if p.bytesPerSecond > 0 { parts.append(String(format: "%.1f MB/s", p.bytesPerSecond / 1_000_000)) }
        if let left = p.secondsLeft { parts.append(left < 90 ? "\(Int(left.rounded())) s left" : "\(Int((left / 60).rounded())) min left") }
        return "Downloading \(title) — " + parts.joined(separator: " · ")
    }

    static func megabytes(_ bytes: Int64) -> String {
        bytes < 10_000_000 ? String(format: "%.1f MB", Double(bytes) / 1_000_000) : "\(bytes / 1_000_000) MB"
    }
}
