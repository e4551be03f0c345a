import ArgumentParser
import Foundation
import MydiaClient
import MydiaConnection
import MydiaSystem
import MydiaWire

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "How this device reaches the server now: relay, dual or direct, with round-trip times.")

    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Keep printing a line per change until interrupted.") var watch = false
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await runReporting {
            try await withSession(global) { session in
                if watch {
                    // Signals are caught before the first line, so a reader may stop us right after it.
                    let interrupted = SignalWaiter()
                    let changes = await session.manager.snapshots()
                    let follow = Task {
                        var current: ConnectionSnapshot?
                        // The stream starts with the current snapshot: printed at once, then one line per change.
                        for await s in changes where current == nil || s.state != current?.state || s.activePath != current?.activePath {
                            current = s
                            emit(s)
                        }
                    }
                    await interrupted.wait()
                    follow.cancel()
                    return
                }
                let snapshots = await session.manager.snapshots()
                // The first answer waits for the first direct probe round (at most 10 s).
                let deadline = ContinuousClock.now + .seconds(10)
                let settled = Task { () -> ConnectionSnapshot? in
                    var last: ConnectionSnapshot?
                    for await s in snapshots {
                        last = s
                        if Self.settled(s) || ContinuousClock.now > deadline { break }
                    }
                    return last
                }
                let timer = Task { try await Task.sleep(until: deadline); settled.cancel() }
                let first = await settled.value
                timer.cancel()
                guard let first else { throw CommandFailure(.unreachable, "The connection manager reported nothing.") }
                emit(first)
            }
        }
    }

    /// After the first probe round: direct once a candidate answered, otherwise every candidate tried.
    static func settled(_ s: ConnectionSnapshot) -> Bool {
        guard s.state != .connecting else { return false }
        if s.state == .direct { return true }
        if s.candidates.contains(where: { $0.lastResult?.isOK == true }) { return false }
        return s.candidates.allSatisfy { $0.lastProbedAt != nil || $0.heldOffUntil != nil }
    }

    func emit(_ s: ConnectionSnapshot) {
        if json { printJSON(SnapshotJSON.object(s)); return }
        let path = s.activePath.map { $0 == .relay ? "relay (end-to-end encrypted)" : "direct \(s.directURL?.absoluteString ?? "")" } ?? "none"
        let rtt = SnapshotJSON.rttMilliseconds(s).map { String(format: " · %.1f ms", $0) } ?? ""
        print("\(s.state.rawValue.uppercased()) · \(path)\(rtt)")
        if let refusal = s.relayRefusal { print("  relay: \(refusal)") }
        if let refusal = s.directRefusal { print("  \(refusal)") }
        for c in s.candidates {
            print("  \(c.url.absoluteString)\(c.discovered ? " (LAN)" : ""): \(c.lastResult.map { $0.isOK ? "answers" : ($0.failureDescription ?? "fails") } ?? "not probed yet")")
        }
    }
}

/// The JSON shape of a snapshot (stable keys; scripts rely on `state`, `path`, `rtt_ms`).
enum SnapshotJSON {
    static func ms(_ d: Duration?) -> Any {
        guard let d else { return NSNull() }
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000
    }

    static func rttMilliseconds(_ s: ConnectionSnapshot) -> Double? {
        let rtt = s.activePath == .direct ? s.direct.roundTripTime : s.relay.roundTripTime
        return ms(rtt) as? Double
    }

    static func path(_ p: PathStatistics) -> [String: Any] {
        ["up": p.isUp, "rtt_ms": ms(p.roundTripTime), "bytes_sent": p.bytesSent, "bytes_received": p.bytesReceived, "in_flight": p.inFlight]
    }

    static func object(_ s: ConnectionSnapshot) -> [String: Any] {
        [
            "state": s.state.rawValue,
            "path": s.activePath?.rawValue ?? NSNull(),
            "rtt_ms": rttMilliseconds(s) ?? NSNull(),
            "direct_url": s.directURL?.absoluteString ?? NSNull(),
            "relay_refusal": s.relayRefusal ?? NSNull(),
            "direct_only": s.isDirectOnly,
            "direct_refusal": s.directRefusal ?? NSNull(),
            "relay": path(s.relay),
            "direct": path(s.direct),
            "candidates": s.candidates.map { c -> [String: Any] in
                ["url": c.url.absoluteString, "discovered": c.discovered,
                 "ok": c.lastResult.map { $0.isOK as Any } ?? NSNull(), "error": c.lastError ?? NSNull(),
                 "held_off": c.heldOffUntil != nil]
            },
            "next_probe_in_ms": s.nextProbeAt.map { ms($0 - s.takenAt) } ?? NSNull(),
            "transitions": s.transitions.suffix(10).map { t -> [String: Any] in
                ["from": t.from.rawValue, "to": t.to.rawValue, "reason": t.reason, "at": WireTime.format(t.date)]
            },
        ]
    }
}

/// Catches SIGINT and SIGTERM from the moment it is made (so a reader may signal right after our
/// first line) and lets a task wait for the first one; later ones are caught and ignored.
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Void>
    private let trap: SignalTrap

    init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.stream = stream
        trap = SignalTrap([SIGINT, SIGTERM]) { _ in continuation.yield() }
    }

    func wait() async {
        for await _ in stream { break }
    }
}
