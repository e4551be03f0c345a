import Logging
import Foundation

extension ConnectionManager {
    /// A probe succeeded: move to `dual` (then `direct` once relay requests drain) (PROTOCOL.md §8.3).
    func promote(_ url: URL, fingerprint: String?) {
        defer { firstProbeRoundEnded() }
        directRefusal = nil
        nextLinkID += 1
        let link = DirectLink(id: nextLinkID, url: url, fingerprint: fingerprint, since: clock.now())
        cancelProbeTimer()
        directStatistics.isUp = true
        guard handle(.promoted(link), reason: "probe of \(url.host ?? url.absoluteString) succeeded") else {
            directStatistics.isUp = false
            return
        }
        let clock = self.clock
        keepaliveTask?.cancel()
        keepaliveTask = Task { await self.keepaliveLoop(link) }
        hysteresisTask?.cancel()
        let resetAfter = policy.backoffResetAfter
        hysteresisTask = Task {
            guard (try? await clock.sleep(resetAfter)) != nil else { return }
            self.directStayedUp(link)
        }
    }

    /// The direct path failed: back to the relay at once (§8.5), or `offline` without one.
    /// Direct requests in flight are abandoned; their callers re-issue idempotent ones on the
    /// relay. Probing resumes at the next backoff step (§12.20), or at once after a network
    /// change or when there is no relay.
    func directFailed(linkID: Int, reason: String, probeAtOnce: Bool = false) {
        guard let link = state.directLink, link.id == linkID else { return }
        logger.notice("direct path failed", metadata: ["url": "\(link.url.absoluteString)", "reason": "\(reason)"])
        keepaliveTask?.cancel()
        keepaliveTask = nil
        hysteresisTask?.cancel()
        hysteresisTask = nil
        directStatistics.isUp = false
        handle(.directFailed, reason: reason)
        for exchange in exchanges.values where exchange.path == .direct {
            exchange.abortDirect?()
        }
        // Direct-only: there is nothing else to fall back on, so look again at once.
        if probeAtOnce || isDirectOnly {
            requestProbe(reason: reason)
        } else {
            scheduleProbe(after: nextBackoffDelay())
        }
    }

    /// Direct stayed up long enough: the probe backoff starts over next time (§12.20 hysteresis).
    private func directStayedUp(_ link: DirectLink) {
        guard state.directLink?.id == link.id else { return }
        probeStep = 0
        hysteresisTask = nil
        publish()
    }

    /// Keepalive every interval while traffic flows on the direct path (§8.5, §12.20): a probe
    /// request. A keepalive unanswered when the next is due is missed; enough misses in a row, or
    /// a transport, TLS or pin failure, fail the path.
    private func keepaliveLoop(_ link: DirectLink) async {
        let interval = policy.keepaliveInterval
        let direct = directPath
        let clock = self.clock
        var misses = 0
        var nextDue = clock.now() + interval
        while !Task.isCancelled {
            let wait = nextDue - clock.now()
            if wait > .zero {
                guard (try? await clock.sleep(wait)) != nil else { return }
            }
            nextDue = clock.now() + interval
            guard state.directLink?.id == link.id else { return }
            guard inFlight(on: .direct) > 0 else {
                misses = 0
                continue
            }
            let result = (try? await Attempt<ProbeResult>().run(timeout: interval, clock: clock) {
                await direct.probe(link.url, fingerprint: link.fingerprint)
            }) ?? .timedOut
            guard !Task.isCancelled, state.directLink?.id == link.id else { return }
            switch result {
            case .ok(let rtt):
                misses = 0
                directStatistics.roundTripTime = rtt
                publish()
            case .timedOut, .rejected:
                misses += 1
                if misses >= policy.missedKeepalivesLimit {
                    directFailed(linkID: link.id, reason: "\(misses) keepalives missed")
                    return
                }
            case .transportError, .tlsError, .pinMismatch, .instanceMismatch, .refused:
                directFailed(linkID: link.id, reason: "keepalive failed: \(result.failureDescription ?? "")")
                return
            }
        }
    }
}
