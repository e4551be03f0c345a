import Foundation
@testable import MydiaConnection
import MydiaTestSupport
import Synchronization
import Testing

/// The two timing tools the connection tests stand on: a timeout that really ends a stuck wait,
/// and a manager clock whose deadline sleeps cannot be stretched by time passing before them.
@Suite(.timeLimit(.minutes(1))) struct TimingToolTests {
    /// A body that ignores cancellation (it awaits an unstructured task's value) still times out:
    /// the timeout does not join it. A task group would wait for it, here for a minute.
    @Test func aTimeoutEndsAWaitThatIgnoresCancellation() async {
        let stuck = Task { try? await Task.sleep(for: .seconds(60)) }
        defer { stuck.cancel() }
        let started = ContinuousClock.now
        let error = await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(200), "a stuck body") { await stuck.value }
        }
        #expect(error?.what == "a stuck body")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aTimeoutReturnsTheBodysResultAndError() async throws {
        #expect(try await withTimeout(.seconds(10)) { 42 } == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withTimeout(.seconds(10)) { throw Boom() } }
    }

    /// Cancelling the caller (as a test's time limit does) ends the wait too.
    @Test func cancellingTheCallerEndsTheWait() async {
        let stuck = Task { try? await Task.sleep(for: .seconds(60)) }
        defer { stuck.cancel() }
        let waiting = Task { try await withTimeout(.seconds(60)) { await stuck.value } }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }

    /// A loop that read `now()` as 0 and then sleeps until 100 ms must not sleep past a clock that
    /// moved to 6 s in between: with `sleep(for:)` it would park until 6.1 s (a manual clock that
    /// never moves again hangs the test; a real one adds a lap to every deadline check).
    @Test func sleepUntilAnOffsetThatHasPassedReturnsAtOnce() async throws {
        let manual = ManualClock()
        let clock = ManagerClock(manual)
        manual.advance(to: .seconds(6))
        try await withTimeout(.seconds(10), "sleepUntil") { try await clock.sleepUntil(.milliseconds(100)) }
        let waiting = Task { try await clock.sleepUntil(.seconds(7)) }
        #expect(await manual.waitForSleeper(until: .seconds(7)))
        manual.advance(to: .seconds(7))
        try await withTimeout(.seconds(10), "sleepUntil 7 s") { try await waiting.value }
    }
}
