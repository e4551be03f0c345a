import Foundation
import Logging
@testable import MydiaPlayback
import Synchronization
import Testing

/// The progress queue as a state machine: order, never backwards, replay after an outage.
@Suite struct ProgressReporterTests {
    /// Refuses while `down` is set (an outage), records what it stored.
    final class FlakySink: ProgressSink {
        let down = Mutex(false)
        let stored = Mutex<[ProgressReport]>([])
        let watched = Mutex<[String]>([])

        func store(_ report: ProgressReport) async throws {
            if down.withLock({ $0 }) { throw CancellationError() }
            stored.withLock { $0.append(report) }
        }

        func markWatched(_ item: PlaybackItem.Reference) async throws { watched.withLock { $0.append(item.id) } }
    }

    let movie = PlaybackItem.Reference(kind: .movie, id: "m1")

    func reporter(_ sink: FlakySink) -> ProgressReporter {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        return ProgressReporter(sink: sink, logger: quiet, retryDelays: [.milliseconds(20)])
    }

    @Test func reportsQueuedDuringAnOutageAreReplayedInOrderAfterIt() async throws {
        let sink = FlakySink()
        let reporter = reporter(sink)
        await reporter.record(.start, item: movie, position: 0, duration: 100)
        #expect(await reporter.flush(timeout: .seconds(5)))
        sink.down.withLock { $0 = true }
        await reporter.record(.periodic, item: movie, position: 10, duration: 100)
        await reporter.record(.pause, item: movie, position: 12, duration: 100)
        await reporter.record(.periodic, item: movie, position: 20, duration: 100)
        await reporter.record(.periodic, item: movie, position: 30, duration: 100)
        try await Task.sleep(for: .milliseconds(100))
        #expect(sink.stored.withLock { $0.count } == 1)
        #expect(await reporter.pending.count == 2)  // the head, retried, and the newest report behind it
        sink.down.withLock { $0 = false }
        await reporter.record(.stop, item: movie, position: 31, duration: 100)
        #expect(await reporter.flush(timeout: .seconds(5)))
        // The head was in flight; of the reports waiting behind it only the newest was kept (§14.1).
        let kinds = sink.stored.withLock { $0.map(\.kind) }
        #expect(kinds == [.start, .periodic, .stop])
        let positions = sink.stored.withLock { $0.map(\.position) }
        #expect(positions == positions.sorted() && positions.last == 31)
        #expect(sink.stored.withLock { $0.map(\.observedAt) } == sink.stored.withLock { $0.map(\.observedAt).sorted() })
        #expect(sink.watched.withLock { $0 }.isEmpty)  // 31 % is not watched
    }

    @Test func positionsNeverMoveBackwardsExceptThroughASeek() async throws {
        let sink = FlakySink()
        let reporter = reporter(sink)
        for (kind, position) in [(ProgressReport.Kind.start, 50.0), (.periodic, 40), (.seek, 10), (.stop, 95)] {
            await reporter.record(kind, item: movie, position: position, duration: 100)  // 40: a stale sample; 10: the user went back
            #expect(await reporter.flush(timeout: .seconds(5)))
        }
        #expect(sink.stored.withLock { $0.map(\.position) } == [50, 50, 10, 95])
        #expect(sink.watched.withLock { $0 } == ["m1"])  // past 90 % at stop
    }

    /// PROTOCOL.md §14.1: without `watchedAt` the order of sending is the order on the server, so
    /// the queue keeps only the newest waiting report per item; other items keep their place, and a
    /// replaced stop report stays a stop (the item is still marked watched).
    @Test func theQueueKeepsTheNewestWaitingReportPerItem() async throws {
        let sink = FlakySink()
        let reporter = reporter(sink)
        let episode = PlaybackItem.Reference(kind: .episode, id: "e1")
        sink.down.withLock { $0 = true }
        await reporter.record(.start, item: movie, position: 0, duration: 100)      // the head, retried
        await reporter.record(.stop, item: movie, position: 95, duration: 100)
        await reporter.record(.start, item: episode, position: 0, duration: 60)
        await reporter.record(.periodic, item: episode, position: 10, duration: 60)
        await reporter.record(.seek, item: movie, position: 96, duration: 100)      // replaces the stop, stays a stop
        #expect(await reporter.pending.map(\.item.id) == ["m1", "e1", "m1"])
        sink.down.withLock { $0 = false }
        #expect(await reporter.flush(timeout: .seconds(5)))
        let stored = sink.stored.withLock { $0.map { "\($0.item.id)@\($0.wholePosition)/\($0.kind.rawValue)" } }
        #expect(stored == ["m1@0/start", "e1@10/periodic", "m1@96/stop"])
        #expect(sink.watched.withLock { $0 } == ["m1"])
    }

    /// At the end of a playback `flush` tries at once instead of waiting out a long retry delay,
    /// and gives up as soon as that attempt fails (offline: the caller keeps `pending`).
    @Test func flushTriesAtOnceAndStopsAtTheFirstFailureAfterIt() async throws {
        let sink = FlakySink()
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let reporter = ProgressReporter(sink: sink, logger: quiet, retryDelays: [.seconds(30)])
        sink.down.withLock { $0 = true }
        await reporter.record(.stop, item: movie, position: 40, duration: 100)
        try await Task.sleep(for: .milliseconds(50))  // the first attempt failed; the next is 30 s away
        let offline = ContinuousClock.now
        #expect(await reporter.flush(timeout: .seconds(5)) == false)
        #expect(ContinuousClock.now - offline < .seconds(2), "flush waited for its timeout while every attempt fails")
        #expect(await reporter.pending.map(\.position) == [40])
        sink.down.withLock { $0 = false }
        let back = ContinuousClock.now
        #expect(await reporter.flush(timeout: .seconds(5)))
        #expect(ContinuousClock.now - back < .seconds(2), "flush waited for the 30 s retry delay")
        #expect(sink.stored.withLock { $0.map(\.position) } == [40])
    }
}
