public import Logging

/// Browses for `_mydia._tcp.local.` (RFC 6763 §4) on the given interfaces: asks at once and then
/// after 1, 2, 4, … seconds up to ``Configuration/maximumQueryInterval`` (RFC 6762 §5.2), with
/// known-answer suppression, completes instances it has only partly (SRV, TXT, A queries), keeps
/// records for their TTL and publishes the complete services whenever they change.
public actor MDNSBrowser {
    /// Where and how it runs.
    public struct Configuration: Sendable {
        /// One socket per interface.
        public var interfaces: [MDNSInterface]
        /// 5353 on a real network.
        public var port: Int
        /// The query interval doubles up to this (RFC 6762 §5.2 allows an hour).
        public var maximumQueryInterval: Duration

        /// Where and how to browse.
        public init(interfaces: [MDNSInterface], port: Int = 5353, maximumQueryInterval: Duration = .seconds(3600)) {
            self.interfaces = interfaces
            self.port = port
            self.maximumQueryInterval = maximumQueryInterval
        }
    }

    /// Why it cannot run.
    public enum Error: Swift.Error, CustomStringConvertible {
        /// No socket could be opened; the reasons, one per interface tried.
        case noInterface([String])

        public var description: String {
            switch self {
            case .noInterface(let reasons):
                reasons.isEmpty
                    ? "LAN discovery found no multicast interface to browse on."
                    : "LAN discovery could not browse on any interface: " + reasons.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }.joined(separator: "; ") + "."
            }
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private var sockets: [MDNSSocket] = []
    /// One cache per interface: addresses are only valid on the link they were heard on.
    private var caches: [String: MDNSCache] = [:]
    private var nextQuery: ContinuousClock.Instant = .now
    private var queryInterval: Duration = .seconds(1)
    private var lastCompletion: [DNSQuestion: ContinuousClock.Instant] = [:]
    private var published: [DiscoveredService] = []
    private var subscribers: [Int: AsyncStream<[DiscoveredService]>.Continuation] = [:]
    private var nextSubscriber = 0

    /// A browser; nothing is sent until ``run()``.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The complete services seen now.
    public var services: [DiscoveredService] { published }

    /// The services now and after every change, until the browser stops.
    public func updates() -> AsyncStream<[DiscoveredService]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [DiscoveredService].self, bufferingPolicy: .bufferingNewest(1))
        let id = nextSubscriber
        nextSubscriber += 1
        continuation.yield(published)
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Starts asking again at once with the shortest interval (the network changed).
    public func refresh() {
        queryInterval = .seconds(1)
        nextQuery = .now
    }

    /// Browses until cancelled. Interfaces that cannot be opened are skipped with a warning; with
    /// none left it throws ``Error/noInterface``.
    public func run() async throws {
        var reasons: [String] = []
        for interface in configuration.interfaces {
            do {
                sockets.append(try await MDNSSocket.open(on: interface, port: configuration.port))
            } catch {
                reasons.append("\(error)")
                logger.warning("mDNS browser skips an interface", metadata: ["error": "\(error)"])
            }
        }
        guard !sockets.isEmpty else {
            finish()
            throw Error.noInterface(reasons)
        }
        let sockets = self.sockets
        await withTaskGroup(of: Void.self) { group in
            for socket in sockets {
                group.addTask {
                    for await datagram in socket.datagrams { await self.receive(datagram, on: socket) }
                }
            }
            group.addTask { await self.tick() }
            await group.waitForAll()
        }
        for socket in sockets { await socket.close() }
        self.sockets = []
        finish()
    }

    private func finish() {
        for c in subscribers.values { c.finish() }
        subscribers = [:]
    }

    /// Every 250 ms: the scheduled PTR query, refresh queries, expiry, publishing.
    private func tick() async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            for socket in sockets {
                var cache = caches[socket.interface.name] ?? MDNSCache()
                cache.expire(at: now)
                var questions = cache.refreshQuestions(at: now)
                var known: [DNSResourceRecord] = []
                if now >= nextQuery {
                    questions.insert(DNSQuestion(name: ServiceAdvertisement.serviceType, type: .ptr), at: 0)
                    known = cache.knownAnswers(at: now)
                }
                caches[socket.interface.name] = cache
                if !questions.isEmpty { await socket.send(DNSMessage(questions: questions, answers: known)) }
            }
            if now >= nextQuery {
                nextQuery = now + queryInterval
                queryInterval = min(queryInterval * 2, configuration.maximumQueryInterval)
            }
            await complete(at: now)
            publish()
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
        }
    }

    private func receive(_ datagram: MDNSSocket.Datagram, on socket: MDNSSocket) async {
        guard let message = try? DNSMessage.decode(datagram.bytes) else {
            logger.trace("mDNS: ignored a malformed packet")
            return
        }
        guard message.isResponse else { return }
        let now = ContinuousClock.now
        caches[socket.interface.name, default: MDNSCache()].insert(message, at: now)
        await complete(at: now)
        publish()
    }

    /// Asks for what partly known instances lack, each question at most once a second.
    private func complete(at now: ContinuousClock.Instant) async {
        for socket in sockets {
            let missing = (caches[socket.interface.name] ?? MDNSCache()).services().missing.filter { q in
                guard let last = lastCompletion[q] else { return true }
                return now - last >= .seconds(1)
            }
            guard !missing.isEmpty else { continue }
            for q in missing { lastCompletion[q] = now }
            await socket.send(DNSMessage(questions: missing))
        }
        if lastCompletion.count > 1024 { lastCompletion = lastCompletion.filter { now - $0.value < .seconds(5) } }
    }

    /// Merges the interfaces' services (same instance label: addresses joined) and tells
    /// subscribers when the result differs from the last one.
    private func publish() {
        var merged: [String: DiscoveredService] = [:]
        var order: [String] = []
        for socket in sockets {
            for s in (caches[socket.interface.name] ?? MDNSCache()).services().complete {
                if var existing = merged[s.instanceLabel] {
                    existing.addresses = Array(Set(existing.addresses + s.addresses)).sorted { ($0.contains(":") ? 1 : 0, $0) < ($1.contains(":") ? 1 : 0, $1) }
                    merged[s.instanceLabel] = existing
                } else {
                    merged[s.instanceLabel] = s
                    order.append(s.instanceLabel)
                }
            }
        }
        let now = order.sorted().compactMap { merged[$0] }
        guard now != published else { return }
        published = now
        for c in subscribers.values { c.yield(now) }
    }
}
