import Foundation
import Logging
import MydiaCrypto
import MydiaWire
import Synchronization

/// The relay's shared state: which instances are online, which ids are bound to which keys, and
/// the live sessions. All transitions happen under one lock, in this file; the messages they imply
/// are sent after the lock is released.
final class RelayHub: Sendable {
    /// An instance id's key binding (first writer wins, kept 24 h after going offline, §12.2).
    struct Binding {
        var publicKey: [UInt8]
        /// `nil` while the instance is online.
        var offlineSince: ContinuousClock.Instant?
    }

    struct State {
        var online: [String: InstanceLink] = [:]
        var bindings: [String: Binding] = [:]
        var sessions: [String: RelaySession] = [:]
    }

    /// Outcome of ``register(instanceID:publicKey:outbox:)``.
    enum RegisterOutcome {
        /// Registered; `replaced` is the older socket of the same instance, now retired.
        case registered(InstanceLink, replaced: InstanceLink?, orphans: [RelaySession])
        /// The id is bound to another key.
        case conflict
    }

    /// Outcome of ``openSession(instanceID:clientKey:clientOutbox:)``.
    enum OpenOutcome {
        case opened(RelaySession)
        case offline
        case notFound
        case limited
    }

    private let state = Mutex(State())
    let limits: RelayLimits
    let timeouts: RelayTimeouts
    let clock: RelayClock
    let logger: Logger
    /// Every open WebSocket and what is queued for it.
    let gauge = SocketGauge()
    /// The fleet's database when this node is one of several (§15); `nil` = this process alone
    /// holds bindings and claims (the default).
    let fleet: FleetStore?

    init(limits: RelayLimits, timeouts: RelayTimeouts, clock: RelayClock, logger: Logger, fleet: FleetStore? = nil) {
        self.limits = limits
        self.timeouts = timeouts
        self.clock = clock
        self.logger = logger
        self.fleet = fleet
    }

    // MARK: Instances

    /// Binds (or re-binds) a proven instance socket and queues `registered` on it. The proof was
    /// verified by the caller.
    func register(instanceID: String, publicKey: [UInt8], outbox: Outbox) -> RegisterOutcome {
        let now = clock.now()
        let outcome: RegisterOutcome = state.withLock { s in
            // In a fleet the database checked the binding before this call (§15).
            if fleet == nil, let binding = s.bindings[instanceID], !isExpired(binding, now: now),
                !ConstantTime.equals(binding.publicKey, publicKey)
            {
                return .conflict
            }
            let link = InstanceLink(instanceID: instanceID, publicKey: publicKey, outbox: outbox, now: now)
            let old = s.online[instanceID]
            var orphans: [RelaySession] = []
            if let old {
                orphans = s.sessions.values.filter { $0.instance === old }
                for o in orphans { s.sessions[o.id] = nil }
            }
            s.online[instanceID] = link
            s.bindings[instanceID] = Binding(publicKey: publicKey, offlineSince: nil)
            // Queued under the lock so that no `connection` can overtake it.
            outbox.push(.text(RelayMessage.registered(relayProtocol: RelayProtocol.version).jsonText))
            return .registered(link, replaced: old, orphans: orphans)
        }
        if case .registered(_, let old?, let orphans) = outcome {
            // PROTOCOL.md §12.2: the newer proven socket wins; the old one's sessions end.
            for session in orphans { notifyClosed(session, reason: .instanceDisconnected, toInstance: false, toClient: true) }
            old.outbox.push(.closeSocket)
            logger.info("instance re-registered; older socket retired", metadata: ["instance_id": "\(instanceID)"])
        }
        return outcome
    }

    /// The instance socket behind `link` is gone: end its sessions, start the binding's 24 h clock.
    /// - Returns: `true` if `link` was the instance's current socket (it is offline here now).
    @discardableResult
    func instanceGone(_ link: InstanceLink) -> Bool {
        let now = clock.now()
        let (orphans, wasCurrent): ([RelaySession], Bool) = state.withLock { s in
            let orphans = s.sessions.values.filter { $0.instance === link }
            for o in orphans { s.sessions[o.id] = nil }
            guard s.online[link.instanceID] === link else { return (orphans, false) }
            s.online[link.instanceID] = nil
            s.bindings[link.instanceID]?.offlineSince = now
            return (orphans, true)
        }
        for session in orphans { notifyClosed(session, reason: .instanceDisconnected, toInstance: false, toClient: true) }
        return wasCurrent
    }

    /// The ids of the instances whose sockets are on this node (presence refresh, §15).
    func onlineInstanceIDs() -> [String] {
        state.withLock { Array($0.online.keys) }
    }

    /// Whether `instanceID`'s socket is on this node right now.
    func isOnline(_ instanceID: String) -> Bool {
        state.withLock { $0.online[instanceID] != nil }
    }

    /// Closes this node's socket of `instanceID`: the instance registered on another node since
    /// (§12.2's newer proven socket wins, across the fleet, §15). Its sessions end when it closes.
    func retire(instanceID: String) {
        let link = state.withLock { $0.online[instanceID] }
        link?.outbox.push(.closeSocket)
    }

    // MARK: Sessions

    /// A client's `connect`: a fresh session, or why not.
    func openSession(instanceID: String, clientKey: String, clientOutbox: Outbox) -> OpenOutcome {
        let now = clock.now()
        let outcome: OpenOutcome = state.withLock { s in
            guard let link = s.online[instanceID] else {
                // PROTOCOL.md §11.2: offline = registered before and disconnected now.
                if let b = s.bindings[instanceID], !isExpired(b, now: now) { return .offline }
                return .notFound
            }
            var perInstance = 0, perIP = 0
            for session in s.sessions.values where session.instance === link {
                perInstance += 1
                if session.clientKey == clientKey { perIP += 1 }
            }
            guard perInstance < limits.sessionsPerInstance, perIP < limits.sessionsPerInstanceAndIP else { return .limited }
            var id = UUID().uuidString.lowercased()
            while s.sessions[id] != nil { id = UUID().uuidString.lowercased() }
            let session = RelaySession(id: id, instance: link, clientOutbox: clientOutbox, clientKey: clientKey, now: now)
            s.sessions[id] = session
            return .opened(session)
        }
        if case .opened(let session) = outcome {
            // The instance hears of the session before any of its data (same FIFO outbox).
            session.instance.outbox.push(.text(RelayMessage.connection(sessionID: session.id).jsonText))
        }
        return outcome
    }

    /// The live session `id`, if it belongs to `link` (§12.3: instances only address their own).
    func session(_ id: String, of link: InstanceLink) -> RelaySession? {
        state.withLock { s in
            guard let session = s.sessions[id], session.instance === link else { return nil }
            return session
        }
    }

    /// Ends `session` once: removes it, then tells the sides named with `reason` (§12.3). A
    /// `close` to the client also closes the client socket (one socket carries one session).
    /// - Returns: `false` if the session had already ended.
    @discardableResult
    func endSession(_ session: RelaySession, reason: RelayCloseReason, toInstance: Bool, toClient: Bool) -> Bool {
        let removed = state.withLock { s in
            guard s.sessions[session.id] === session else { return false }
            s.sessions[session.id] = nil
            return true
        }
        if removed { notifyClosed(session, reason: reason, toInstance: toInstance, toClient: toClient) }
        return removed
    }

    private func notifyClosed(_ session: RelaySession, reason: RelayCloseReason, toInstance: Bool, toClient: Bool) {
        if toInstance {
            session.instance.outbox.push(.text(RelayMessage.close(sessionID: session.id, reason: reason).jsonText))
        }
        if toClient {
            let text = RelayMessage.close(sessionID: nil, reason: reason).jsonText
            if reason == .slowConsumer {
                // The backlog is what overflowed: drop it, tell the client why, close.
                session.clientOutbox.abandon(sendingLast: text)
            } else {
                session.clientOutbox.push(.text(text))
                session.clientOutbox.push(.closeSocket)
            }
        }
        logger.debug("session closed", metadata: ["session_id": "\(session.id)", "reason": "\(reason)"])
    }

    // MARK: Housekeeping

    /// Closes idle sessions and silent instances, forgets expired bindings.
    func sweep() {
        let now = clock.now()
        let (idle, silent): ([RelaySession], [InstanceLink]) = state.withLock { s in
            s.bindings = s.bindings.filter { !isExpired($0.value, now: now) }
            let idle = s.sessions.values.filter { now - $0.lastActivity >= timeouts.sessionIdle }
            let silent = s.online.values.filter { now - $0.lastHeard >= timeouts.instanceSilence }
            return (idle, silent)
        }
        for session in idle {
            endSession(session, reason: .idleTimeout, toInstance: true, toClient: true)
        }
        for link in silent {
            logger.info("instance silent; dropping it", metadata: ["instance_id": "\(link.instanceID)"])
            link.outbox.push(.closeSocket)
        }
    }

    private func isExpired(_ binding: Binding, now: ContinuousClock.Instant) -> Bool {
        guard let since = binding.offlineSince else { return false }
        return now - since >= timeouts.bindingRetention
    }

    /// Counts for tests and logs.
    var counts: (online: Int, bindings: Int, sessions: Int) {
        state.withLock { ($0.online.count, $0.bindings.count, $0.sessions.count) }
    }
}
