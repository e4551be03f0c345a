import Foundation
import MydiaConnection
import MydiaTestSupport
import Synchronization

struct FakeTransportError: Error, Equatable {
    let reason: String
}

/// A response body the test feeds chunk by chunk (and can fail or leave hanging).
final class ControlledBody: Sendable {
    let stream: AsyncThrowingStream<[UInt8], any Error>
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
    }

    func send(_ bytes: [UInt8]) { continuation.yield(bytes) }
    func finish() { continuation.finish() }
    func fail(_ reason: String) { continuation.finish(throwing: FakeTransportError(reason: reason)) }
}

/// A file the fake server serves with `Range` and a strong etag (PROTOCOL.md §12.16).
struct FakeFile: Sendable {
    let bytes: [UInt8]
    let etag: String?
    let chunkSize: Int

    init(size: Int, etag: String? = "\"v1\"", chunkSize: Int = 16_384) {
        self.bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
        self.etag = etag
        self.chunkSize = chunkSize
    }

    /// Serves `request`; with `failAfterChunks`, the body throws `failure` after that many chunks,
    /// and with `hangAfterChunks` it stops sending without ending.
    func respond(to request: PathRequest, failAfterChunks: Int? = nil, failure: any Error & Sendable = FakeTransportError(reason: "connection reset"),
                 hangAfterChunks: Int? = nil) -> PathResponse {
        var start = 0
        var end = bytes.count - 1
        var status = 200
        var headers = ["content-type": "video/mp4"]
        if let etag { headers["etag"] = etag }
        if let range = request.headers["range"], range.hasPrefix("bytes="),
           request.headers["if-range"] == nil || request.headers["if-range"] == etag {
            let bounds = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
            start = Int(bounds[0]) ?? 0
            if bounds.count > 1, let last = Int(bounds[1]) { end = min(last, end) }
            status = 206
            headers["content-range"] = "bytes \(start)-\(end)/\(bytes.count)"
        }
        let slice = Array(bytes[start...end])
        headers["content-length"] = String(slice.count)
        let chunks = stride(from: 0, to: slice.count, by: chunkSize).map { Array(slice[$0..<min($0 + chunkSize, slice.count)]) }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let hold = HoldOpen()
        for (index, chunk) in chunks.enumerated() {
            if let failAfterChunks, index == failAfterChunks {
                continuation.finish(throwing: failure)
                return PathResponse(status: status, headers: headers, body: stream)
            }
            if let hangAfterChunks, index == hangAfterChunks {
                // Keep the stream open (no more bytes) until the consumer abandons it.
                continuation.onTermination = { _ in
                    hold.release()
                    _ = continuation
                }
                return PathResponse(status: status, headers: headers, body: stream)
            }
            continuation.yield(chunk)
        }
        continuation.finish()
        return PathResponse(status: status, headers: headers, body: stream)
    }
}

/// Marks that a held-open body was abandoned by its consumer.
final class HoldOpen: Sendable {
    private let released = Mutex(false)
    func release() { released.withLock { $0 = true } }
    var isReleased: Bool { released.withLock { $0 } }
}

/// Collects a whole body.
func collect(_ body: AsyncThrowingStream<[UInt8], any Error>) async throws -> [UInt8] {
    var all: [UInt8] = []
    for try await chunk in body { all += chunk }
    return all
}

typealias Responder = @Sendable (PathRequest) async throws -> PathResponse

/// Records every request a fake path received.
final class RequestLog: Sendable {
    private let entries = Mutex<[PathRequest]>([])
    func append(_ request: PathRequest) { entries.withLock { $0.append(request) } }
    var all: [PathRequest] { entries.withLock { $0 } }
}

/// A relay session whose requests are answered by a test-provided responder.
final class FakeRelaySession: RelaySession {
    let directConfiguration: DirectConfiguration?
    let log = RequestLog()
    private let responder: Mutex<Responder>
    private let state = Mutex<(ended: String?, waiters: [CheckedContinuation<String, Never>])>((nil, []))
    private let pingResult: Mutex<Duration?>

    init(configuration: DirectConfiguration?, responder: @escaping Responder, rtt: Duration = .milliseconds(40)) {
        self.directConfiguration = configuration
        self.responder = Mutex(responder)
        self.pingResult = Mutex(rtt)
    }

    func send(_ request: PathRequest) async throws -> PathResponse {
        log.append(request)
        if let reason = state.withLock({ $0.ended }) { throw FakeTransportError(reason: reason) }
        let responder = self.responder.withLock { $0 }
        return try await responder(request)
    }

    func ping() async throws -> Duration {
        guard let rtt = pingResult.withLock({ $0 }) else { throw FakeTransportError(reason: "no pong") }
        return rtt
    }

    func closed() async -> String {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
                let ended = state.withLock { state -> String? in
                    if let ended = state.ended { return ended }
                    state.waiters.append(continuation)
                    return nil
                }
                if let ended { continuation.resume(returning: ended) }
            }
        } onCancel: {
            self.end("cancelled watch")
        }
    }

    func close() async { end("closed") }

    /// Makes every later ping fail (a relay that stopped answering).
    func stopAnsweringPings() { pingResult.withLock { $0 = nil } }

    /// Ends the session as a dropped WebSocket would.
    func end(_ reason: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<String, Never>] in
            if state.ended == nil { state.ended = reason }
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: reason) }
    }

    var isEnded: Bool { state.withLock { $0.ended != nil } }
}

/// Opens fake relay sessions; the test decides which attempts fail.
final class FakeRelayConnector: RelayConnector {
    private struct State {
        var failing = false
        var refusal: FakeTransportError?
        var sessions: [FakeRelaySession] = []
        var attemptTimes: [Duration] = []
    }

    private let state = Mutex(State())
    private let clock: ManualClock
    private let configuration: DirectConfiguration?
    private let responder: Responder

    init(clock: ManualClock, configuration: DirectConfiguration? = nil, responder: @escaping Responder) {
        self.clock = clock
        self.configuration = configuration
        self.responder = responder
    }

    func connect() async throws -> any RelaySession {
        let now = clock.elapsed
        let refusal = state.withLock { $0.refusal }
        if let refusal {
            state.withLock { $0.attemptTimes.append(now) }
            throw RelayRefused(refusal)
        }
        let session = state.withLock { state -> FakeRelaySession? in
            state.attemptTimes.append(now)
            guard !state.failing else { return nil }
            let session = FakeRelaySession(configuration: configuration, responder: responder)
            state.sessions.append(session)
            return session
        }
        guard let session else { throw FakeTransportError(reason: "relay unreachable") }
        return session
    }

    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    /// While set, every attempt is refused for good (credentials revoked, another server key).
    var refusal: FakeTransportError? {
        get { state.withLock { $0.refusal } }
        set { state.withLock { $0.refusal = newValue } }
    }

    var sessions: [FakeRelaySession] { state.withLock { $0.sessions } }
    var attemptTimes: [Duration] { state.withLock { $0.attemptTimes } }
}

/// How the fake direct path answers a probe of one URL.
enum ProbeBehaviour: Sendable {
    case result(ProbeResult)
    /// Never answers (until cancelled).
    case hang
    /// Accepts only this fingerprint; others get a pin mismatch.
    case pinned(String)
    /// Waits until the test opens the gate, then answers what it was opened with.
    case gate(ProbeGate)
}

/// A probe answer the test releases when it wants.
final class ProbeGate: Sendable {
    private let state = Mutex<(result: ProbeResult?, waiters: [CheckedContinuation<ProbeResult, Never>])>((nil, []))

    /// Answers every waiting and later probe with `result`.
    func open(_ result: ProbeResult) {
        let waiters = state.withLock { state -> [CheckedContinuation<ProbeResult, Never>] in
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: result) }
    }

    func wait() async -> ProbeResult {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> ProbeResult? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// The fake direct path: probes per URL, requests answered by a test-provided responder.
final class FakeDirectPath: DirectPath {
    struct ProbeCall: Equatable {
        let url: URL
        let fingerprint: String?
        let at: Duration
    }

    private struct State {
        var behaviours: [URL: ProbeBehaviour] = [:]
        var probes: [ProbeCall] = []
        var responder: Responder?
    }

    private let state = Mutex(State())
    private let clock: ManualClock
    let log = RequestLog()

    init(clock: ManualClock) {
        self.clock = clock
    }

    func setProbe(_ url: URL, _ behaviour: ProbeBehaviour) {
        state.withLock { $0.behaviours[url] = behaviour }
    }

    func setResponder(_ responder: @escaping Responder) {
        state.withLock { $0.responder = responder }
    }

    var probes: [ProbeCall] { state.withLock { $0.probes } }

    func probe(_ url: URL, fingerprint: String?) async -> ProbeResult {
        let now = clock.elapsed
        let behaviour = state.withLock { state -> ProbeBehaviour in
            state.probes.append(ProbeCall(url: url, fingerprint: fingerprint, at: now))
            return state.behaviours[url] ?? .result(.transportError("connection refused"))
        }
        switch behaviour {
        case .result(let result):
            return result
        case .pinned(let accepted):
            return accepted == fingerprint ? .ok(rtt: .milliseconds(3)) : .pinMismatch(presented: accepted)
        case .gate(let gate):
            return await gate.wait()
        case .hang:
            // Parked until the manager gives up on it (cancellation ends the sleep).
            try? await Task.sleep(for: .seconds(3600))
            return .timedOut
        }
    }

    func send(_ request: PathRequest, to url: URL, fingerprint: String?) async throws -> PathResponse {
        log.append(request)
        guard let responder = state.withLock({ $0.responder }) else { throw FakeTransportError(reason: "no route") }
        return try await responder(request)
    }
}

/// A deterministic jitter source: returns the queued values, then the last one forever.
final class QueuedRandom: Sendable {
    private let values: Mutex<[Double]>
    init(_ values: [Double]) { self.values = Mutex(values) }
    func next() -> Double {
        values.withLock { values in values.count > 1 ? values.removeFirst() : (values.first ?? 0.5) }
    }
}
