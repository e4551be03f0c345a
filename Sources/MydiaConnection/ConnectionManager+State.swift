import Logging
import Foundation

extension ConnectionManager {
    /// The manager's state (PROTOCOL.md §8). Every change goes through `handle(_:reason:)`.
    enum State {
        /// Created, not started.
        case idle
        /// Started; the first relay connect is running.
        case connecting
        /// Requests go through the relay.
        case relay
        /// A direct URL was promoted: new requests go direct, older relay requests finish (§8.3).
        case dual(DirectLink)
        /// Every request goes direct; the relay session idles with heartbeats (§8.4).
        case direct(DirectLink)
        /// No path is usable; relay reconnects and probes continue.
        case offline
        /// `stop()` was called.
        case stopped

        var publicState: ConnectionState {
            switch self {
            case .idle, .connecting: return .connecting
            case .relay: return .relay
            case .dual: return .dual
            case .direct: return .direct
            case .offline, .stopped: return .offline
            }
        }

        var directLink: DirectLink? {
            switch self {
            case .dual(let link), .direct(let link): return link
            default: return nil
            }
        }
    }

    /// A promoted direct URL. A new link (new `id`) is made on each promotion, so a late failure
    /// report about an older link cannot demote a newer one.
    struct DirectLink: Sendable {
        let id: Int
        let url: URL
        let fingerprint: String?
        let since: Duration
    }

    /// What can happen to the state.
    enum Event {
        case start
        case relayUp
        case relayDown
        case promoted(DirectLink)
        case relayDrained
        case directFailed
        /// Direct-only: a probe round failed on every URL.
        case probeRoundFailed
        case stop
    }

    /// The state machine: the next state for an event, or `nil` when the event changes nothing.
    func nextState(after event: Event) -> State? {
        switch (state, event) {
        case (.stopped, _): return nil
        case (_, .stop): return .stopped
        case (.idle, .start): return .connecting
        // Direct-only (no relay): connecting → offline after a failed round, straight to direct on success.
        case (.connecting, .probeRoundFailed) where isDirectOnly: return .offline
        case (.connecting, .promoted(let link)) where isDirectOnly, (.offline, .promoted(let link)) where isDirectOnly:
            return .direct(link)
        case (.connecting, .relayUp), (.offline, .relayUp): return .relay
        case (.connecting, .relayDown), (.relay, .relayDown): return .offline
        case (.dual(let link), .relayDown): return .direct(link)
        case (.connecting, .promoted(let link)), (.relay, .promoted(let link)), (.offline, .promoted(let link)):
            return .dual(link)
        case (.dual(let link), .relayDrained): return .direct(link)
        case (.dual, .directFailed), (.direct, .directFailed): return relaySession != nil ? .relay : .offline
        default: return nil
        }
    }

    /// Applies an event: moves to the next state, records the transition and publishes a snapshot.
    /// Returns whether the state changed.
    @discardableResult
    func handle(_ event: Event, reason: String) -> Bool {
        guard let next = nextState(after: event) else { return false }
        let from = state.publicState
        state = next
        let to = next.publicState
        if from != to {
            transitions.append(ConnectionTransition(from: from, to: to, reason: reason, at: clock.now(), date: Date()))
            if transitions.count > policy.transitionHistoryLimit {
                transitions.removeFirst(transitions.count - policy.transitionHistoryLimit)
            }
            logger.info("connection state changed", metadata: ["from": "\(from)", "to": "\(to)", "reason": "\(reason)"])
        }
        resumeStateWaiters()
        publish()
        if case .dual = next, inFlight(on: .relay) == 0 {
            handle(.relayDrained, reason: "no relay requests left")
        }
        return true
    }

    /// Moves `dual` to `direct` once the last relay request has finished (§8.3).
    func checkDrained() {
        if case .dual = state, inFlight(on: .relay) == 0 {
            handle(.relayDrained, reason: "relay requests finished")
        }
    }
}
