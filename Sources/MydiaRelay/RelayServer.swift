import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import MydiaListener
import MydiaWire
import NIOCore
import NIOSSL
import Synchronization

/// The relay (`mydia-relay`): the instance and client WebSocket endpoints and the sealed-claim
/// HTTP API on one port (PROTOCOL.md §2, §3.2, §11.2, §11.7, §12.1–§12.7).
///
/// ```swift
/// let relay = try RelayServer(configuration: .init(port: 0))
/// async let running: Void = relay.run()
/// let port = try await relay.port()   // e.g. ws://127.0.0.1:\(port)/relay/client/websocket
/// ```
/// Cancel the task running ``run(handlingSignals:)`` to stop the relay.
public final class RelayServer: Sendable {
    /// Why the relay cannot start.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// PROTOCOL.md §12.5: plain `ws://` is for loopback only.
        case plaintextOnNonLoopback(host: String)
        /// The TLS certificate or key could not be loaded.
        case tlsFiles(String)
        /// The server stopped before it was listening.
        case notListening

        public var description: String {
            switch self {
            case .plaintextOnNonLoopback(let host):
                "Refusing to listen on \(host) without TLS: pass --tls-cert and --tls-key, or bind 127.0.0.1."
            case .tlsFiles(let detail):
                "Could not load the TLS certificate or key (\(detail)); check the PEM files."
            case .notListening:
                "The relay stopped before it started listening; see the log for the cause."
            }
        }
    }

    private enum Listening {
        case waiting([CheckedContinuation<Int, any Swift.Error>])
        case listening(Int)
        case failed
    }

    /// The configuration the relay runs with.
    public let configuration: RelayConfiguration
    let hub: RelayHub
    let claims: ClaimStore
    private let claimRoutes: ClaimRoutes
    private let connectLimiter: RateLimiter
    private let clock: RelayClock
    private let tlsConfiguration: TLSConfiguration?
    /// The HTTP listener's caps and timeouts (PROTOCOL.md §13.19).
    let connections: ListenerGuard
    private let listening = Mutex(Listening.waiting([]))

    /// Validates the configuration (TLS files, the loopback rule) without binding anything yet.
    /// - Parameter clock: the time source; tests may pass a manual one.
    public init(configuration: RelayConfiguration, clock: RelayClock = .continuous) throws(Error) {
        self.configuration = configuration
        self.clock = clock
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath)
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                var tlsConfiguration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
                tlsConfiguration.minimumTLSVersion = .tlsv12  // PROTOCOL.md §12.5
                // A close (the listener's header timeout, say) waits this long for the peer's
                // close_notify, not NIOSSL's 5 s: a stalled handshake is gone 1 s after its deadline.
                tlsConfiguration.shutdownTimeout = .seconds(1)
                self.tlsConfiguration = tlsConfiguration
            } catch {
                throw .tlsFiles("\(error)")
            }
        } else {
            guard Self.isLoopback(configuration.host) else { throw .plaintextOnNonLoopback(host: configuration.host) }
            tlsConfiguration = nil
        }
        let fleet = configuration.fleet.map {
            FleetStore(configuration: $0, claimLifetime: configuration.timeouts.claimLifetime, claimCapacity: configuration.limits.maxClaims,
                       logger: configuration.logger)
        }
        hub = RelayHub(limits: configuration.limits, timeouts: configuration.timeouts, clock: clock, logger: configuration.logger, fleet: fleet)
        claims = ClaimStore(lifetime: configuration.timeouts.claimLifetime, capacity: configuration.limits.maxClaims, clock: clock)
        claimRoutes = ClaimRoutes(
            store: fleet.map { $0 as any ClaimBackend } ?? claims, limits: configuration.limits, timeouts: configuration.timeouts, clock: clock, logger: configuration.logger)
        connectLimiter = RateLimiter(limit: configuration.limits.connectsPerMinute, window: configuration.timeouts.rateWindow, clock: clock)
        connections = ListenerGuard(limits: configuration.limits.listener) { ClientAddress.key(for: $0) }
    }

    /// `true` for a literal 127.0.0.0/8 address or `::1` (PROTOCOL.md §12.5).
    public static func isLoopback(_ host: String) -> Bool { RelayOrigin.isLoopback(host) }

    /// Runs the relay until the task is cancelled (or, with `handlingSignals`, SIGINT/SIGTERM).
    public func run(handlingSignals: Bool = false) async throws {
        let app = makeApplication()
        defer { finishListening(nil) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                if handlingSignals { try await app.runService() } else { try await app.run() }
            }
            if let fleet = hub.fleet { group.addTask { [hub] in await fleet.run(hub: hub) } }
            group.addTask { [hub, claimRoutes, connectLimiter] in
                let interval = self.configuration.timeouts.sweepInterval
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    hub.sweep()
                    await claimRoutes.prune()
                    connectLimiter.prune()
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Open WebSockets and the bytes queued for them right now (tests, the load bench).
    public var socketLoad: (sockets: Int, queuedBytes: Int) { hub.gauge.reading }

    /// Connections the HTTP listener holds right now, upgraded or not, and the addresses they
    /// come from (tests, the load bench).
    public var listenerLoad: (total: Int, addresses: Int) { connections.open }

    /// The bound port, once the relay listens (waits for it; throws if the relay stopped first).
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int, any Swift.Error>) in
            let ready: Result<Int, Error>? = listening.withLock { state in
                switch state {
                case .listening(let port): return .success(port)
                case .failed: return .failure(.notListening)
                case .waiting(var waiters):
                    waiters.append(c)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let ready { c.resume(with: ready) }
        }
    }

    /// The origin clients and instances are given: `http://HOST:PORT` or `https://…` with TLS.
    public func origin() async throws -> String {
        let port = try await port()
        let host = configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
        return "\(tlsConfiguration == nil ? "http" : "https")://\(host):\(port)"
    }

    private func finishListening(_ port: Int?) {
        let waiters: [CheckedContinuation<Int, any Swift.Error>] = listening.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = port.map { .listening($0) } ?? .failed
            return waiters
        }
        for waiter in waiters {
            if let port { waiter.resume(returning: port) } else { waiter.resume(throwing: Error.notListening) }
        }
    }

    // MARK: Wiring

    private func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: RelayRequestContext.self)
        claimRoutes.register(on: router)

        let wsRouter = Router(context: RelayRequestContext.self)
        let hub = self.hub
        let limiter = connectLimiter
        wsRouter.ws("/relay/tunnel/websocket") { inbound, outbound, context in
            let connection = InstanceConnection(hub: hub, connectLimiter: limiter, clientKey: context.requestContext.clientKey)
            try await connection.run(inbound: inbound, outbound: outbound)
        }
        wsRouter.ws("/relay/client/websocket") { inbound, outbound, context in
            let connection = ClientConnection(hub: hub, connectLimiter: limiter, clientKey: context.requestContext.clientKey)
            try await connection.run(inbound: inbound, outbound: outbound)
        }

        let limits = configuration.limits
        // No negotiated extensions: permessage-deflate is never offered (PROTOCOL.md §12.1); the one
        // local transform unmasks frames word-wide (§13.24). The relay's own JSON ping/pong is the
        // heartbeat, so WebSocket-level auto-ping is off.
        let ws = WebSocketServerConfiguration(
            maxFrameSize: max(limits.maxInstanceBinary, limits.maxClientBinary, limits.maxText),
            extensions: [.nonNegotiatedExtension { WordUnmasking() }], autoPing: .disabled, closeTimeout: .seconds(5))
        let connections = self.connections
        // Caps and the first head's deadline at accept (after TLS, so a stalled handshake runs into
        // it too), the keep-alive idle timeout on HTTP requests; an upgraded socket is not timed.
        let upgrade = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(additionalChannelHandlers: connections.keepAliveHandlers()), ws: ws)
        let wsResponder = wsRouter.buildResponder()
        let tlsConfiguration = self.tlsConfiguration
        let server = HTTPServerBuilder { responder -> any ServerChildChannel in
            let guarded = connections.guarding(
                HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: wsResponder, configuration: upgrade))
            guard let tlsConfiguration else { return guarded }
            return try TLSChannel(guarded, tlsConfiguration: tlsConfiguration)
        }
        let address = BindAddress.hostname(configuration.host, port: configuration.port)
        let onRunning: @Sendable (any Channel) async -> Void = { [weak self] channel in
            self?.finishListening(channel.localAddress?.port)
        }
        return Application(
            router: router, server: server, configuration: .init(address: address), onServerRunning: onRunning,
            logger: configuration.logger)
    }
}
