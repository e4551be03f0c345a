import Foundation
import MydiaConnection
import MydiaTestSupport
import Synchronization
import Testing

/// Keeps every snapshot a manager publishes and lets a test await one that matches.
final class SnapshotRecorder: Sendable {
    private struct State {
        var snapshots: [ConnectionSnapshot] = []
        var waiters: [Int: (predicate: @Sendable (ConnectionSnapshot) -> Bool, continuation: CheckedContinuation<ConnectionSnapshot?, Never>)] = [:]
        var nextID = 0
    }

    private final class Store: Sendable {
        let state = Mutex(State())
    }

    private let store = Store()
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ stream: AsyncStream<ConnectionSnapshot>) {
        let task = Task { [store] in
            for await snapshot in stream {
                let ready = store.state.withLock { state -> [CheckedContinuation<ConnectionSnapshot?, Never>] in
                    state.snapshots.append(snapshot)
                    let ready = state.waiters.filter { $0.value.predicate(snapshot) }
                    for id in ready.keys { state.waiters[id] = nil }
                    return ready.values.map(\.continuation)
                }
                ready.forEach { $0.resume(returning: snapshot) }
            }
        }
        self.task.withLock { $0 = task }
    }

    deinit { task.withLock { $0?.cancel() } }

    var all: [ConnectionSnapshot] { store.state.withLock { $0.snapshots } }
    var latest: ConnectionSnapshot? { all.last }

    /// The latest snapshot if it matches `predicate`, else the first later one that does (within
    /// `timeout` of real time).
    @discardableResult
    func wait(
        for what: String, timeout: Duration = .seconds(5),
        _ predicate: @escaping @Sendable (ConnectionSnapshot) -> Bool
    ) async throws -> ConnectionSnapshot {
        let id = store.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task { [store] in
            try? await Task.sleep(for: timeout)
            let waiter = store.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
        defer { timer.cancel() }
        let found = await withCheckedContinuation { (continuation: CheckedContinuation<ConnectionSnapshot?, Never>) in
            let existing = store.state.withLock { state -> ConnectionSnapshot? in
                if let latest = state.snapshots.last, predicate(latest) { return latest }
                state.waiters[id] = (predicate, continuation)
                return nil
            }
            if let existing { continuation.resume(returning: existing) }
        }
        guard let found else { throw TimeoutError(what: what) }
        return found
    }

    /// Waits for a snapshot whose latest state is `state`.
    @discardableResult
    func wait(forState expected: ConnectionState, timeout: Duration = .seconds(5)) async throws -> ConnectionSnapshot {
        try await wait(for: "state \(expected)", timeout: timeout) { $0.state == expected }
    }
}

let urlA = URL(string: "https://192.168.1.20:8443")!
let urlB = URL(string: "https://home.example.net:8443")!
let pin = String(repeating: "ab", count: 32)
let newPin = String(repeating: "cd", count: 32)

/// A manager wired to fakes on a manual clock.
struct Harness {
    let clock = ManualClock()
    let relay: FakeRelayConnector
    let direct: FakeDirectPath
    let manager: ConnectionManager
    let recorder: SnapshotRecorder
    let refreshCalls: RefreshLog

    init(
        urls: [URL] = [urlA],
        relayResponder: RelayResponder = RelayResponder { request in FakeFile(size: 1000).respond(to: request) },
        refreshed: DirectConfiguration? = nil,
        random: [Double] = [0.5],
        policy: ConnectionPolicy = ConnectionPolicy(),
        relayFailsAtFirst: Bool = false,
        setUp: (FakeDirectPath) -> Void = { _ in }
    ) async {
        let configuration = DirectConfiguration(urls: urls, certificateFingerprint: pin)
        relay = FakeRelayConnector(clock: clock, responder: relayResponder.respond)
        relay.failing = relayFailsAtFirst
        direct = FakeDirectPath(clock: clock)
        setUp(direct)
        let refreshCalls = RefreshLog()
        self.refreshCalls = refreshCalls
        let clock = self.clock
        let jitter = QueuedRandom(random)
        manager = ConnectionManager(
            relay: relay, direct: direct, configuration: configuration,
            refreshDirectConfiguration: {
                refreshCalls.record(at: clock.elapsed)
                return refreshed ?? configuration
            },
            policy: policy, clock: clock, random: { jitter.next() })
        recorder = SnapshotRecorder(await manager.snapshots())
    }
}

/// A relay responder (a struct, so a trailing closure on `Harness` means `setUp`).
struct RelayResponder {
    let respond: Responder
    init(_ respond: @escaping Responder) { self.respond = respond }
}

/// When the refresh callback ran.
final class RefreshLog: Sendable {
    private let times = Mutex<[Duration]>([])
    func record(at time: Duration) { times.withLock { $0.append(time) } }
    var all: [Duration] { times.withLock { $0 } }
}
