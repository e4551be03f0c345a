import Foundation
import Glibc
import Logging
import MydiaCrypto
import MydiaWire
import NIOCore
import Synchronization
import WSClient

/// The relay under load (issue 18): the real `mydia-relay` binary as a child process, N sessions
/// (a client connected through the relay to a registered instance, 16 sessions per instance, the
/// per-(instance, IP) cap of PROTOCOL.md §12.4) each moving media on loopback: the client sends a
/// 64-byte request, the instance answers with `responseBytes` in 16 KiB binary frames, as a tunnel
/// does (the relay sees opaque binary frames either way).
///
/// The relay's memory is read from `/proc/PID/status` (`VmRSS` with the sessions idle, `VmHWM`
/// for the peak under load) and its CPU time from `/proc/PID/stat`, so the figures are the relay's
/// alone, not the bench's.
struct RelayLoad {
    static let sessionsPerInstance = 16
    static let requestBytes = 64
    static let frameBytes = 16 * 1024
    static let responseBytes = 128 * 1024
    static let requestsPerSession = 4

    /// One child relay.
    final class Child: @unchecked Sendable {  // `process` is only read after init; `stopped` is atomic
        let process: Process
        let port: Int
        private let stopped = Atomic<Bool>(false)

        init(binary: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "--host", "127.0.0.1", "--port", "0", "--print-ready", "--log-level", "critical",
                "--connect-limit", "1000000", "--max-connections", "20000", "--max-connections-per-ip", "20000",
            ]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
            // The ready line: {"event":"ready","relay_url":"http://127.0.0.1:PORT"}.
            var line = Data()
            while !line.contains(10) {
                let chunk = out.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                line += chunk
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.range(of: "127.0.0.1:"),
                  let port = Int(text[colon.upperBound...].prefix { $0.isNumber })
            else {
                process.terminate()
                throw BenchError("mydia-relay did not print its ready line: \(text)")
            }
            self.port = port
        }

        var pid: Int32 { process.processIdentifier }

        /// `VmRSS` or `VmHWM` in MB.
        func memory(_ field: String) -> Double {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
            for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
                let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? -1
                return kb / 1024
            }
            return -1
        }

        /// User + system CPU time so far, in milliseconds.
        func cpuMilliseconds() -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return -1 }
            // Fields after "comm)": state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return -1 }
            return (utime + stime) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// Ends the relay (every socket of every session closes with it); once.
        func stop() {
            guard !stopped.exchange(true, ordering: .relaxed) else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// What one run measured.
    struct Figures {
        var idleRSS = 0.0
        var peakRSS = 0.0
        var p99 = Duration.zero
        var cpuMillisecondsPerMB = 0.0
        var failed = 0
    }

    /// Raises the open-file limit to its hard limit (every session is two sockets here and two in
    /// the relay, which inherits the limit).
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// `mydia-relay` next to this executable (`swift build -c release --product mydia-relay`).
    static func relayBinary() -> String? {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = own.deletingLastPathComponent().appendingPathComponent("mydia-relay").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Starts a relay, opens `sessions` sessions, measures them idle, then moves media on all of
    /// them at once.
    static func run(sessions: Int, binary: String, logger: Logger) async throws -> Figures {
        let relay = try Child(binary: binary)
        defer { relay.stop() }
        let port = relay.port
        let instances = (sessions + sessionsPerInstance - 1) / sessionsPerInstance
        let ids = (0..<instances).map { _ in UUID().uuidString.lowercased() }
        let registered = Countdown(instances)
        let connected = Countdown(sessions)
        let done = Countdown(sessions)
        let go = Gate()
        let stop = Gate()
        let latencies = Latencies()
        let failures = Failures()

        return try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    let isRegistered = Once()
                    do {
                        try await instance(port: port, id: id, registered: { isRegistered { registered.tick() } }, stop: stop, logger: logger)
                    } catch {
                        failures.count.add(1, ordering: .relaxed)
                    }
                    isRegistered { registered.tick() }
                }
            }
            try await registered.wait()
            for index in 0..<sessions {
                group.addTask {
                    let isConnected = Once(), isDone = Once()
                    do {
                        try await client(port: port, instanceID: ids[index / sessionsPerInstance], connected: { isConnected { connected.tick() } },
                                         go: go, done: { isDone { done.tick() } }, stop: stop, latencies: latencies, logger: logger)
                    } catch {
                        failures.count.add(1, ordering: .relaxed)
                    }
                    isConnected { connected.tick() }
                    isDone { done.tick() }
                }
            }
            try await connected.wait()
            try await Task.sleep(for: .seconds(2))  // let the relay settle, then read it idle
            var figures = Figures()
            figures.idleRSS = relay.memory("VmRSS")

            let cpuBefore = relay.cpuMilliseconds()
            go.open()
            try await done.wait()
            let cpu = relay.cpuMilliseconds() - cpuBefore
            figures.peakRSS = relay.memory("VmHWM")
            let moved = Double(sessions * requestsPerSession * (responseBytes + requestBytes)) / 1e6
            figures.cpuMillisecondsPerMB = cpu / moved
            let sorted = latencies.all.sorted()
            figures.p99 = sorted.isEmpty ? .zero : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            figures.failed = failures.count.load(ordering: .relaxed) + (sessions * requestsPerSession - sorted.count)
            stop.open()
            relay.stop()
            group.cancelAll()
            return figures
        }
    }

    /// An instance: registers, then answers every request frame with `responseBytes` in 16 KiB
    /// frames carrying the session id (§2.1).
    static func instance(port: Int, id: String, registered: @escaping @Sendable () -> Void, stop: Gate, logger: Logger) async throws {
        let keys = X25519KeyPair.generate()
        let payload = ByteBuffer(bytes: (0..<frameBytes).map { UInt8(truncatingIfNeeded: $0) })
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/relay/tunnel/websocket",
            configuration: .init(maxFrameSize: 1 << 17, autoPing: .disabled), logger: logger
        ) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 17) {
                switch message {
                case .text(let text):
                    switch try RelayMessage.decode(text) {
                    case .challenge(let nonce, let relayKey):
                        let proof = try RegistrationProof.make(staticKey: keys, relayKey: relayKey, nonce: nonce, instanceID: id)
                        try await outbound.write(.text(RelayMessage.register(.init(instanceID: id, publicKey: keys.publicKey, proof: proof)).jsonText))
                    case .registered: registered()
                    case .ping: try await outbound.write(.text(RelayMessage.pong.jsonText))
                    default: break
                    }
                case .binary(var buffer):
                    guard let sid = buffer.readString(length: RelaySessionFrame.sessionIDBytes) else { continue }
                    var sent = 0
                    while sent < responseBytes {
                        var frame = ByteBufferAllocator().buffer(capacity: RelaySessionFrame.sessionIDBytes + frameBytes)
                        frame.writeString(sid)
                        frame.writeImmutableBuffer(payload)
                        try await outbound.write(.binary(frame))
                        sent += frameBytes
                    }
                }
                if stop.isOpen { return }
            }
        }
    }

    /// A client: connects to its instance, waits for `go`, then sends its requests one after the
    /// other, each timed from the request to the last byte of its answer.
    static func client(
        port: Int, instanceID: String, connected: @escaping @Sendable () -> Void, go: Gate, done: @escaping @Sendable () -> Void, stop: Gate,
        latencies: Latencies, logger: Logger
    ) async throws {
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/relay/client/websocket",
            configuration: .init(maxFrameSize: 1 << 17, autoPing: .disabled), logger: logger
        ) { inbound, outbound, _ in
            try await outbound.write(.text(RelayMessage.connect(instanceID: instanceID).jsonText))
            var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
            while let message = try await messages.next() {
                if case .text(let text) = message {
                    if case .connected = try RelayMessage.decode(text) { break }
                    throw BenchError("the relay refused a session: \(text)")
                }
            }
            connected()
            try await go.wait()
            let request = ByteBuffer(bytes: [UInt8](repeating: 1, count: requestBytes))
            var mine: [Duration] = []
            for _ in 0..<requestsPerSession {
                let start = ContinuousClock.now
                try await outbound.write(.binary(request))
                var received = 0
                while received < responseBytes, let message = try await messages.next() {
                    if case .binary(let buffer) = message { received += buffer.readableBytes }
                }
                guard received >= responseBytes else { throw BenchError("a session ended mid-answer") }
                mine.append(ContinuousClock.now - start)
            }
            latencies.add(mine)
            done()
            try await stop.wait()
        }
    }
}

/// Counts down to zero once; `wait` returns then.
final class Countdown: Sendable {
    private let state: Mutex<(left: Int, waiters: [CheckedContinuation<Void, Never>])>
    init(_ count: Int) { state = Mutex((count, [])) }

    func tick() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.left -= 1
            guard s.left == 0 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    func wait() async throws {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.left <= 0 { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// Opens once; `wait` returns then.
final class Gate: Sendable {
    private let countdown = Countdown(1)
    private let opened = Atomic<Bool>(false)
    func open() {
        if !opened.exchange(true, ordering: .relaxed) { countdown.tick() }
    }
    var isOpen: Bool { opened.load(ordering: .relaxed) }
    func wait() async throws { try await countdown.wait() }
}

/// Runs its body the first time only.
final class Once: Sendable {
    private let ran = Atomic<Bool>(false)
    func callAsFunction(_ body: () -> Void) {
        if !ran.exchange(true, ordering: .relaxed) { body() }
    }
}

/// Request latencies from every session.
final class Latencies: Sendable {
    private let values = Mutex<[Duration]>([])
    func add(_ more: [Duration]) { values.withLock { $0.append(contentsOf: more) } }
    var all: [Duration] { values.withLock { $0 } }
}

/// Sessions and instances that failed.
final class Failures: Sendable {
    let count = Atomic<Int>(0)
}
