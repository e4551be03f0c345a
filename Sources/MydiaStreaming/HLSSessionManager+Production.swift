import Foundation
import Logging

/// Segment production (PROTOCOL.md §14.4): one ffmpeg run at a time per session makes segments in
/// order ahead of the player; its reports are read only up to
/// ``HLSSessionManager/Configuration/aheadSegments`` past the last segment asked for, so it blocks
/// there (at most ``OutputLines``' couple of reports further) until the player comes closer. A
/// segment asked for behind the run or far ahead of it starts a new run there.
/// Finished segments more than ``HLSSessionManager/Configuration/behindSegments`` behind the
/// player, or ahead of both the window and the running production, are deleted.
extension HLSSessionManager {
    /// Starts a run at segment `index`, stopping the current one.
    func startRun(_ session: inout Session, at index: Int) throws {
        retireRun(&session)
        session.runCount += 1
        let folder = session.directory.appendingPathComponent("runs/\(session.runCount)", isDirectory: true)
        let last = min(session.playlist.count - 1, index + Self.segmentsPerRun - 1)
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Error.storageUnavailable(configuration.root.path)
        }
        let arguments = runArguments(
            file: session.file, playlist: session.playlist, encoding: session.encoding, first: index, last: last,
            folder: folder)
        let started: (process: FFmpegProcess, lines: OutputLines)
        do {
            started = try FFmpegProcess.withOutputLines(
                executable: tools.ffmpeg, arguments: arguments, log: session.directory.appendingPathComponent("ffmpeg.log"))
        } catch {
            throw Error.ffmpegLaunchFailed(String(describing: error))
        }
        if let stale = session.ready.removeValue(forKey: index) { try? FileManager.default.removeItem(at: stale) }
        let id = session.info.sessionId, number = session.runCount
        var run = SegmentRun(
            number: number, first: index, last: last, folder: folder, process: started.process, reports: started.lines,
            granted: index - 1)
        run.grant(through: max(index, session.reader + configuration.aheadSegments))
        session.run = run
        Task {
            for await line in started.lines.lines {
                if let finished = SegmentRun.index(ofListLine: line) { self.segmentFinished(id, run: number, index: finished) }
            }
        }
    }

    /// ffmpeg reported segment `index` of run `number` finished: serve it.
    func segmentFinished(_ id: String, run number: Int, index: Int) {
        guard var session = sessions[id], var run = session.run, run.number == number, index <= run.last,
            index < session.playlist.count
        else { return }
        defer { sessions[id] = session }
        run.lastFinished = max(run.lastFinished ?? index, index)
        if session.ready[index] != run.file(index) {
            if let old = session.ready[index] { try? FileManager.default.removeItem(at: old) }
            session.ready[index] = run.file(index)
        }
        session.run = run
    }

    /// Stops the current run (it is cleaned up once it has exited).
    func retireRun(_ session: inout Session) {
        guard var run = session.run else { return }
        run.stopped = true
        run.reports.release()  // a run blocked on its reports could not act on SIGTERM
        run.process.terminate()
        session.retired.append(run)
        session.run = nil
    }

    /// Makes sure segment `index` is ready or on its way: the player is there now, and a run that
    /// will not reach it soon is replaced by one that starts there.
    func demand(_ id: String, index: Int) throws {
        refresh(id)  // a run that has just finished registers its segments first
        guard var session = sessions[id] else { return }
        defer { sessions[id] = session }
        session.reader = index
        if session.ready[index] != nil || session.failed { return }
        if let run = session.run, run.process.exitCode == nil, index >= run.first, index <= run.last {
            let top = run.current
            // Being made, or coming within the window: let it through and wait for it.
            if index >= top && index <= top + configuration.aheadSegments {
                session.run?.grant(through: index + configuration.aheadSegments)
                return
            }
        }
        logger.debug("HLS production restarts", metadata: ["session": "\(id)", "segment": "\(index)"])
        try startRun(&session, at: index)
    }

    /// Brings a session's production up to date: registers finished segments, reacts to a run that
    /// has exited, freezes or wakes the run, and deletes segments outside the window.
    func refresh(_ id: String) {
        guard var session = sessions[id] else { return }
        defer { sessions[id] = session }

        session.retired.removeAll { run in
            guard run.process.exitCode != nil else { return false }
            for index in run.existing() where session.ready[index] != run.file(index) {
                try? FileManager.default.removeItem(at: run.file(index))
            }
            // The folder goes once the segments it still serves have been deleted.
            return rmdir(run.folder.path) == 0
        }

        var produced: ClosedRange<Int>?
        if var run = session.run {
            let status = run.process.exitCode
            // Segments are registered as ffmpeg reports them; a clean exit closed every segment it
            // began (the last one ends at the end of the media), reported or not yet.
            let finished = status == 0 ? run.existing().filter { $0 <= run.last } : []
            for index in finished where index < session.playlist.count && session.ready[index] != run.file(index) {
                if let old = session.ready[index] { try? FileManager.default.removeItem(at: old) }
                session.ready[index] = run.file(index)
            }
            if let status {
                session.retired.append(run)
                session.run = nil
                if status != 0 && !run.stopped { runFailed(&session, id: id, status: status) }
            } else {
                produced = run.first...max(run.first, run.current - 1)
                if run.current > run.last + 1 || (run.existing().last ?? 0) > run.last {
                    retireRun(&session)  // past the end of its list
                } else {
                    run.grant(through: session.reader + configuration.aheadSegments)
                    session.run = run
                }
            }
        }

        let low = session.reader - configuration.behindSegments
        let high = session.reader + configuration.aheadSegments
        for (index, file) in session.ready where index < low || (index > high && !(produced?.contains(index) ?? false)) {
            try? FileManager.default.removeItem(at: file)
            session.ready[index] = nil
        }
    }

    /// A run died by itself: a copy becomes a transcode with the same cuts (a keyframe is forced at
    /// each), a transcode that fails is final.
    private func runFailed(_ session: inout Session, id: String, status: Int32) {
        let log = session.directory.appendingPathComponent("ffmpeg.log")
        if session.encoding == .copy {
            logger.warning(
                "HLS_COPY failed; transcoding instead",
                metadata: ["session": "\(id)", "status": "\(status)", "ffmpeg": "\(FFmpegProcess.lastLogLine(log))"])
            session.encoding = .transcode(maxHeight: nil)
            if (try? startRun(&session, at: session.reader)) == nil { session.failed = true }
        } else {
            logger.warning(
                "HLS transcode failed",
                metadata: ["session": "\(id)", "status": "\(status)", "ffmpeg": "\(FFmpegProcess.lastLogLine(log))"])
            session.failed = true
        }
    }

    /// Refreshes the session every ``Configuration/productionInterval`` until it ends.
    func supervise(_ id: String) async {
        while !Task.isCancelled, sessions[id] != nil {
            refresh(id)
            do {
                try await Task.sleep(for: configuration.productionInterval)
            } catch {
                return
            }
        }
    }

    /// The bytes of segment files a session has on disk (finished or not), for tests and the bench.
    func diskUsage(sessionId: String) -> Int {
        guard let session = sessions[sessionId] else { return 0 }
        let runs = session.directory.appendingPathComponent("runs")
        guard let enumerator = FileManager.default.enumerator(at: runs, includingPropertiesForKeys: [.fileSizeKey])
        else { return 0 }
        var total = 0
        for case let url as URL in enumerator {
            total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }
}
