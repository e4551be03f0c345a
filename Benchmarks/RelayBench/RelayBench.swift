import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MydiaCrypto
import MydiaRelay
import MydiaWire
import NIOCore
import Synchronization
import WSClient

/// `mydia-relay-bench`: relay forwarding throughput with 16 KiB binary frames, WSClient "client"
/// → in-process relay → WSClient "instance" on loopback, next to the same transfer over one plain
/// loopback WebSocket (no relay) in the same run.
///
/// Prints exactly:
/// ```
/// BENCH relay_forward_mb_s <n> MB/s
/// BENCH relay_vs_loopback_ws <ratio> x
/// BENCH relay_sessions_64_rss_mb <n> MB          (peak while all 64 move media)
/// BENCH relay_sessions_256_rss_mb <n> MB         (peak while all 256 move media)
/// BENCH relay_sessions_1000_rss_mb <n> MB target<=200   (1,000 idle sessions)
/// BENCH relay_sessions_1000_peak_rss_mb <n> MB   (peak while all 1,000 move media)
/// BENCH relay_p99_request_ms_1000 <n> ms
/// BENCH relay_cpu_ms_per_mb <n> ms/MB
/// ```
/// The load lines come from ``RelayLoad`` and need `mydia-relay` built next to this executable.
@main
struct RelayBench {
    static let frameBytes = 16 * 1024
    static let frames = 8 * 1024  // 128 MiB per run

    static func main() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let relayRate = try await relayRun(logger: logger)
        let loopbackRate = try await loopbackRun(logger: logger)
        print(String(format: "BENCH relay_forward_mb_s %.1f MB/s", relayRate))
        print(String(format: "BENCH relay_vs_loopback_ws %.2f x", relayRate / loopbackRate))
        try await loadRuns(logger: logger)
    }

    /// The relay under N concurrent sessions (``RelayLoad``).
    static func loadRuns(logger: Logger) async throws {
        guard let binary = RelayLoad.relayBinary() else {
            FileHandle.standardError.write(Data("relay load: build mydia-relay next to this bench (swift build -c release --product mydia-relay)\n".utf8))
            return
        }
        RelayLoad.raiseFileLimit()
        for sessions in [64, 256, 1000] {
            let f = try await RelayLoad.run(sessions: sessions, binary: binary, logger: logger)
            if f.failed > 0 { FileHandle.standardError.write(Data("relay load: \(f.failed) of \(sessions) sessions failed\n".utf8)) }
            if sessions == 1000 {
                print(String(format: "BENCH relay_sessions_1000_rss_mb %.1f MB target<=200", f.idleRSS))
                print(String(format: "BENCH relay_sessions_1000_peak_rss_mb %.1f MB", f.peakRSS))
                print(String(format: "BENCH relay_p99_request_ms_1000 %.1f ms", Double(f.p99.components.attoseconds) / 1e15 + Double(f.p99.components.seconds) * 1000))
                print(String(format: "BENCH relay_cpu_ms_per_mb %.2f ms/MB", f.cpuMillisecondsPerMB))
            } else {
                print(String(format: "BENCH relay_sessions_%d_rss_mb %.1f MB", sessions, f.peakRSS))
            }
        }
    }

    /// Bytes per second → MB/s for `bytes` moved in `elapsed`.
    static func rate(_ bytes: Int, _ elapsed: Duration) -> Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(bytes) / 1e6 / seconds
    }

    static func relayRun(logger: Logger) async throws -> Double {
        var limits = RelayLimits()
        limits.connectsPerMinute = 1000
        let relay = try RelayServer(configuration: .init(port: 0, limits: limits, logger: logger))
        return try await withThrowingTaskGroup(of: Double?.self) { group in
            group.addTask {
                try await relay.run()
                return nil
            }
            let port = try await relay.port()
            let instanceID = UUID().uuidString.lowercased()
            let keys = X25519KeyPair.generate()
            let total = frames * frameBytes
            let (registered, registeredGo) = AsyncStream<Void>.makeStream()
            let (received, receivedDone) = AsyncStream<ContinuousClock.Instant>.makeStream()

            // The instance: register, then count forwarded bytes (prefix excluded).
            group.addTask {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/relay/tunnel/websocket",
                    configuration: .init(maxFrameSize: 1 << 17, autoPing: .disabled), logger: logger
                ) { inbound, outbound, _ in
                    var count = 0
                    for try await message in inbound.messages(maxSize: 1 << 17) {
                        switch message {
                        case .text(let text):
                            switch try RelayMessage.decode(text) {
                            case .challenge(let nonce, let relayKey):
                                let proof = try RegistrationProof.make(staticKey: keys, relayKey: relayKey, nonce: nonce, instanceID: instanceID)
                                try await outbound.write(.text(RelayMessage.register(.init(instanceID: instanceID, publicKey: keys.publicKey, proof: proof)).jsonText))
                            case .registered: registeredGo.yield()
                            default: break
                            }
                        case .binary(let buffer):
                            count += buffer.readableBytes - RelaySessionFrame.sessionIDBytes
                            if count >= total {
                                receivedDone.yield(.now)
                                return
                            }
                        }
                    }
                }
                return nil
            }
            for await _ in registered { break }

            // The client: connect, then send as fast as the relay takes it.
            let start = StartTime()
            group.addTask {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/relay/client/websocket",
                    configuration: .init(maxFrameSize: 1 << 17, autoPing: .disabled), logger: logger
                ) { inbound, outbound, _ in
                    try await outbound.write(.text(RelayMessage.connect(instanceID: instanceID).jsonText))
                    // One iterator for the socket's whole life (a second one is not allowed).
                    var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
                    while let message = try await messages.next() {
                        if case .text(let text) = message, case .connected = try RelayMessage.decode(text) { break }
                    }
                    try await sendFrames(outbound, start: start)
                    // Stay open until the instance has everything.
                    while try await messages.next() != nil {}
                }
                return nil
            }
            var end: ContinuousClock.Instant?
            for await instant in received {
                end = instant
                break
            }
            group.cancelAll()
            guard let end, let begin = start.instant else { throw CancellationError() }
            return rate(total, end - begin)
        }
    }

    static func sendFrames(_ outbound: WebSocketOutboundWriter, start: StartTime) async throws {
        let payload = ByteBuffer(bytes: (0..<frameBytes).map { UInt8(truncatingIfNeeded: $0) })
        start.mark()
        for _ in 0..<frames { try await outbound.write(.binary(payload)) }
    }

    static func loopbackRun(logger: Logger) async throws -> Double {
        let total = frames * frameBytes
        let (received, receivedDone) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let (listening, listeningGo) = AsyncStream<Int>.makeStream()
        let router = Router()
        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.ws("/sink") { inbound, _, _ in
            var count = 0
            for try await message in inbound.messages(maxSize: 1 << 17) {
                if case .binary(let buffer) = message { count += buffer.readableBytes }
                if count >= total {
                    receivedDone.yield(.now)
                    return
                }
            }
        }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: wsRouter, configuration: .init(ws: .init(maxFrameSize: 1 << 17, autoPing: .disabled))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in listeningGo.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var port = 0
            for await p in listening {
                port = p
                break
            }
            let start = StartTime()
            group.addTask {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/sink", configuration: .init(maxFrameSize: 1 << 17, autoPing: .disabled), logger: logger
                ) { inbound, outbound, _ in
                    try await sendFrames(outbound, start: start)
                    for try await _ in inbound {}
                }
            }
            var end: ContinuousClock.Instant?
            for await instant in received {
                end = instant
                break
            }
            group.cancelAll()
            guard let end, let begin = start.instant else { throw CancellationError() }
            return rate(total, end - begin)
        }
    }
}

/// When the sender started, shared between its task and the measuring task.
final class StartTime: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)
    func mark() { value.withLock { $0 = ContinuousClock.now } }
    var instant: ContinuousClock.Instant? { value.withLock { $0 } }
}
