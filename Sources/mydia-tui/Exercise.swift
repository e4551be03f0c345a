import ArgumentParser
import Foundation
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import Synchronization

/// `mydia-tui exercise` (hidden): the fault lab's load generator and observer. One session — one
/// ConnectionManager — runs a steady loop of idempotent GraphQL queries while every change of state,
/// path, relay liveness and candidate verdict is printed, so `scripts/faultlab` can measure swap and
/// fallback latency and count failed requests on a single long-lived manager (a loop of separate
/// `ls` processes would start a fresh manager, relay first, every time).
///
/// Output: one JSON object per line, `t` = seconds since the session opened:
/// `{"event":"state",…}`, `{"event":"request","ok",…}`, and a final `{"event":"summary",…}`.
struct Exercise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a request loop on one connection and print every path change as JSON lines (fault lab).",
        shouldDisplay: false)

    @Option(help: "Seconds to run.") var duration: Double = 60
    @Option(name: .customLong("interval-ms"), help: "Pause between requests, in milliseconds.") var intervalMs = 250
    @Flag(help: "Fetch the library's largest movie file (GET /api/v1/stream/file/ID) instead of GraphQL queries; each line carries its byte count and SHA-256.")
    var fetch = false
    @Option(name: .customLong("post-body"), help: "POST this file's bytes to /api/graphql instead (fault lab: hostile bodies through the tunnel); each line carries the HTTP status.")
    var postBody: String?
    @Flag(name: .customLong("no-bearer"), help: "With --post-body: send no Authorization header.")
    var noBearer = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be between 0 and 3600 seconds.") }
        guard (10...60_000).contains(intervalMs) else { throw ValidationError("--interval-ms must be between 10 and 60000.") }
        guard postBody == nil || !fetch else { throw ValidationError("--post-body and --fetch cannot be combined.") }
    }

    func run() async throws {
        try await runReporting {
            try await withSession(global) { session in
                let start = ContinuousClock.now
                let t: @Sendable () -> Double = { Self.seconds(ContinuousClock.now - start) }
                let snapshots = await session.manager.snapshots()
                let watcher = Task {
                    var last: [String: Any]?
                    for await s in snapshots {
                        let line = Self.stateLine(s)
                        if let last, NSDictionary(dictionary: last).isEqual(to: line) { continue }
                        last = line
                        printJSON(line.merging(["event": "state", "t": t()]) { $1 })
                    }
                }
                // SIGINT/SIGTERM end the loop early; the summary is still printed.
                let interrupted = Interrupted()
                let signals = Task {
                    await SignalWaiter().wait()
                    interrupted.set()
                }
                let fileID = fetch ? try await Self.largestMovieFile(session) : nil
                let posted: [UInt8]? = try postBody.map { path in
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw CommandFailure(.failure, "Cannot read the body file \(path).")
                    }
                    return Array(data)
                }
                var ok = 0, failed = 0, delivered = 0
                let deadline = start + .milliseconds(Int64(duration * 1000))
                while ContinuousClock.now < deadline, !interrupted.isSet {
                    let began = ContinuousClock.now
                    var line: [String: Any] = ["event": "request", "t": t()]
                    do {
                        if let posted {
                            let (status, bytes) = try await Self.post(posted, bearer: !noBearer, session: session)
                            line["status"] = status
                            line["bytes"] = bytes
                        } else if let fileID {
                            let (bytes, digest) = try await Self.fetchFile(fileID, session: session)
                            delivered += bytes
                            line["bytes"] = bytes
                            line["sha256"] = digest
                        } else {
                            let page = try await session.api.movies(first: 10)
                            line["items"] = page.edges.count
                        }
                        ok += 1
                        line["ok"] = true
                    } catch {
                        failed += 1
                        line["ok"] = false
                        line["error"] = "\(error)"
                    }
                    line["ms"] = Self.seconds(ContinuousClock.now - began) * 1000
                    line["path"] = await session.manager.snapshot().activePath?.rawValue ?? NSNull()
                    printJSON(line)
                    try? await Task.sleep(for: .milliseconds(intervalMs))
                }
                watcher.cancel()
                signals.cancel()
                let final = await session.manager.snapshot()
                printJSON([
                    "event": "summary", "t": t(), "requests": ok + failed, "failed": failed, "state": final.state.rawValue,
                    "bytes_delivered": delivered, "relay_bytes_received": final.relay.bytesReceived,
                    "direct_bytes_received": final.direct.bytesReceived,
                    "transitions": final.transitions.map { ["from": $0.from.rawValue, "to": $0.to.rawValue, "reason": $0.reason,
                                                            "at": Self.seconds($0.at)] },
                ])
            }
        }
    }

    /// Set once a signal asked the loop to end (read by the loop, written by the signal task).
    final class Interrupted: Sendable {
        private let flag = Mutex(false)
        var isSet: Bool { flag.withLock { $0 } }
        func set() { flag.withLock { $0 = true } }
    }

    /// The id of the biggest file among the library's movies (the longest body to interrupt).
    static func largestMovieFile(_ session: ClientSession) async throws -> String {
        let movies = try await session.api.movies(first: 50)
        guard let file = movies.edges.flatMap({ $0.node.files }).max(by: { ($0.size ?? 0) < ($1.size ?? 0) }) else {
            throw CommandFailure(.failure, "The server's library has no movie file to fetch.")
        }
        return file.id
    }

    /// One whole-file GET through the ConnectionManager (a body that survives a path swap, §8.5).
    static func fetchFile(_ id: String, session: ClientSession) async throws -> (Int, String) {
        let token = try await session.api.storedCredentials().accessToken
        let response = try await session.manager.send(PathRequest(
            method: "GET", path: "/api/v1/stream/file/\(id)", headers: ["authorization": "Bearer \(token)"]))
        guard response.status == 200 else { throw CommandFailure(.failure, "The file request answered HTTP \(response.status).") }
        var body: [UInt8] = []
        for try await chunk in response.body { body += chunk }
        if let length = response.headers["content-length"].flatMap(Int.init), length != body.count {
            throw CommandFailure(.failure, "The file body has \(body.count) bytes, not the announced \(length).")
        }
        return (body.count, Encoding.hex(SHA256.hash(body)))
    }

    /// One POST of `body` to `/api/graphql` through the ConnectionManager: the status and the
    /// answer's length (the answer itself is not printed).
    static func post(_ body: [UInt8], bearer: Bool, session: ClientSession) async throws -> (Int, Int) {
        var headers = ["content-type": "application/json"]
        if bearer { headers["authorization"] = "Bearer \(try await session.api.storedCredentials().accessToken)" }
        let response = try await session.manager.send(PathRequest(method: "POST", path: "/api/graphql", headers: headers, body: body))
        var length = 0
        for try await chunk in response.body { length += chunk.count }
        return (response.status, length)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// State, path and relay liveness (no URL): shared with `play --events json`.
    static func connectionLine(_ s: ConnectionSnapshot) -> [String: Any] {
        ["state": s.state.rawValue, "path": s.activePath?.rawValue ?? NSNull(), "relay_up": s.relay.isUp]
    }

    /// What the lab watches; a line is printed only when one of these changes.
    static func stateLine(_ s: ConnectionSnapshot) -> [String: Any] {
        connectionLine(s).merging([
            "direct_url": s.directURL?.absoluteString ?? NSNull(),
            "candidates": s.candidates.map { c -> [String: Any] in
                ["url": c.url.absoluteString, "ok": c.lastResult.map { $0.isOK as Any } ?? NSNull(),
                 "error": c.lastError ?? NSNull(), "held_off": c.heldOffUntil != nil]
            },
        ]) { $1 }
    }
}
