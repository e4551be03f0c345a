public import Foundation
public import Logging
import NIOCore
#if canImport(CNIOLinux)
import CNIOLinux
#endif

/// Answers mDNS queries for one service instance (RFC 6762, RFC 6763) on the given interfaces:
/// announces on start (twice, a second apart, §8.3), answers queries with known-answer
/// suppression (§7.1), replaces the advertisement when the schedule changes it (the private
/// mode's hourly tag) and says goodbye (TTL 0, §10.1) when it stops.
///
/// Probing for name conflicts (§8.1) is not done: private-mode names are random 64-bit tags,
/// and an enabled-mode name that clashes only confuses DNS-SD browsers, not mydia clients,
/// which recognise servers by the TXT `id`.
public actor MDNSResponder {
    /// Where and how it runs.
    public struct Configuration: Sendable {
        /// One socket per interface; each announces its own address.
        public var interfaces: [MDNSInterface]
        /// 5353 on a real network.
        public var port: Int
        /// How often the schedule is checked for a new advertisement.
        public var checkInterval: Duration

        /// Where and how to answer.
        public init(interfaces: [MDNSInterface], port: Int = 5353, checkInterval: Duration = .seconds(1)) {
            self.interfaces = interfaces
            self.port = port
            self.checkInterval = checkInterval
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
                    ? "LAN discovery found no multicast interface to announce on; use --discovery disabled or --direct-url."
                    : "LAN discovery could not announce on any interface: " + reasons.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }.joined(separator: "; ") + "; use --discovery disabled or --direct-url."
            }
        }
    }

    private let configuration: Configuration
    private let schedule: AdvertisementSchedule
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var sockets: [MDNSSocket] = []
    private var current: ServiceAdvertisement?
    /// Replies per source address (issue 18: never an amplifier).
    private var replies = SourceRateLimit()
    private let started = ContinuousClock.now

    /// - Parameter now: the wall clock (injected so tests can move the hour).
    public init(configuration: Configuration, schedule: AdvertisementSchedule, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.configuration = configuration
        self.schedule = schedule
        self.now = now
        self.logger = logger
    }

    /// The advertisement being announced (nil before `run` or in disabled mode).
    public var advertisement: ServiceAdvertisement? { current }

    /// Announces and answers until cancelled, then says goodbye. Interfaces that cannot be
    /// opened are skipped with a warning; with none left it throws ``Error/noInterface``.
    public func run() async throws {
        guard schedule.mode != .disabled else { return }
        var reasons: [String] = []
        for interface in configuration.interfaces {
            do {
                sockets.append(try await MDNSSocket.open(on: interface, port: configuration.port))
            } catch {
                reasons.append("\(error)")
                logger.warning("mDNS responder skips an interface", metadata: ["error": "\(error)"])
            }
        }
        guard !sockets.isEmpty else { throw Error.noInterface(reasons) }
        current = schedule.advertisement(at: now())
        logger.info("LAN discovery announcing", metadata: [
            "mode": "\(schedule.mode)", "interfaces": "\(sockets.map(\.interface.name).joined(separator: ","))",
        ])
        let sockets = self.sockets
        await withTaskGroup(of: Void.self) { group in
            for socket in sockets {
                group.addTask {
                    for await datagram in socket.datagrams { await self.handle(datagram, on: socket) }
                }
            }
            group.addTask { await self.maintain() }
            await group.waitForAll()
        }
        if let current { await announce(current, ttl: 0) }
        for socket in sockets { await socket.close() }
        self.sockets = []
        self.current = nil
    }

    /// Announces now and a second later (§8.3), then follows the schedule until cancelled: a new
    /// advertisement says goodbye for the old one and is announced the same way.
    private func maintain() async {
        guard let first = current else { return }
        await announce(first, ttl: nil)
        var repeatAt: ContinuousClock.Instant? = .now + .seconds(1)
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.checkInterval) } catch { return }
            if let next = schedule.advertisement(at: now()), let old = current, next != old {
                logger.info("LAN discovery advertisement rotates")
                await announce(old, ttl: 0)
                current = next
                await announce(next, ttl: nil)
                repeatAt = .now + .seconds(1)
            }
            if let at = repeatAt, ContinuousClock.now >= at, let current {
                await announce(current, ttl: nil)
                repeatAt = nil
            }
        }
    }

    /// An unsolicited response with every record (ttl 0 = goodbye).
    private func announce(_ advertisement: ServiceAdvertisement, ttl: UInt32?) async {
        for socket in sockets {
            var records = advertisement.records(ipv4: [socket.interface.ipv4])
            if let ttl { records = records.map { $0.withTTL(ttl) } }
            await socket.send(DNSMessage(flags: DNSMessage.responseFlags, answers: records))
        }
    }

    private func handle(_ datagram: MDNSSocket.Datagram, on socket: MDNSSocket) async {
        guard let query = try? DNSMessage.decode(datagram.bytes) else {
            logger.trace("mDNS: ignored a malformed packet")
            return
        }
        // RFC 6762 §11: answer only sources on the attached subnet — never a reflector that sends
        // our records, or unicast, to an address off the link.
        guard let source = Self.ipv4Bytes(datagram.source), socket.interface.isOnLink(source) else {
            logger.trace("mDNS: ignored a query from off the link")
            return
        }
        let legacy = datagram.source.port != configuration.port
        guard let current, let reply = Self.reply(to: query, records: current.records(ipv4: [socket.interface.ipv4]), legacy: legacy)
        else { return }
        guard replies.admit(source.map(String.init).joined(separator: "."), now: ContinuousClock.now - started) else {
            logger.trace("mDNS: reply rate-limited")
            return
        }
        if !legacy, reply.answers.allSatisfy({ !$0.cacheFlush }) {
            // Answers of shared records only (PTR) wait 20–120 ms, so several responders on a LAN
            // do not answer in the same instant (RFC 6762 §6).
            try? await Task.sleep(for: .milliseconds(Int.random(in: 20...120)))
        }
        await socket.send(reply, to: legacy ? datagram.source : nil)
    }

    /// The 4 bytes of an IPv4 socket address; `nil` for anything else.
    static func ipv4Bytes(_ address: SocketAddress) -> [UInt8]? {
        guard case .v4(let v4) = address else { return nil }
        return withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) }
    }

    /// The response to `query` from `records`, or nil when nothing is to be said: answers for
    /// every question not suppressed by a known answer with at least half our TTL (§7.1), and
    /// the records a PTR or SRV answer implies as additionals (RFC 6763 §12). A legacy unicast
    /// query (source port not 5353, §6.7) gets its id and questions back, TTLs at most 10 s and
    /// no cache-flush bits.
    static func reply(to query: DNSMessage, records: [DNSResourceRecord], legacy: Bool) -> DNSMessage? {
        guard !query.isResponse, query.opcode == 0, query.responseCode == 0, !query.questions.isEmpty else { return nil }
        let known = query.answers
        var answers: [DNSResourceRecord] = []
        for record in records where query.questions.contains(where: { $0.isAnswered(by: record) }) {
            let suppressed = known.contains { $0.sameRecord(as: record) && $0.ttl >= record.ttl / 2 }
            if !suppressed, !answers.contains(record) { answers.append(record) }
        }
        guard !answers.isEmpty else { return nil }
        var additionals: [DNSResourceRecord] = []
        func add(_ r: DNSResourceRecord) {
            if !answers.contains(r), !additionals.contains(r) { additionals.append(r) }
        }
        for answer in answers {
            switch answer.data {
            case .ptr(let instance) where answer.name == ServiceAdvertisement.serviceType:
                for r in records where r.name == instance { add(r) }
                for case let r in records where r.type == .a { add(r) }
            case .srv:
                for r in records where r.type == .a { add(r) }
            default:
                break
            }
        }
        guard legacy else { return DNSMessage(flags: DNSMessage.responseFlags, answers: answers, additionals: additionals) }
        func unicast(_ r: DNSResourceRecord) -> DNSResourceRecord {
            var copy = r.withTTL(min(r.ttl, 10))
            copy.cacheFlush = false
            return copy
        }
        return DNSMessage(id: query.id, flags: DNSMessage.responseFlags, questions: query.questions,
                          answers: answers.map(unicast), additionals: additionals.map(unicast))
    }
}
