import Logging
public import Foundation

extension ConnectionManager {
    /// Probes the direct candidates now (the user asked; PROTOCOL.md §8.2). Does nothing while a
    /// direct URL is in use; a round already running is followed by another one.
    public func probeNow() {
        requestProbe(reason: "probe requested")
    }

    /// The network changed: the backoff starts over and candidates are probed at once (§8.2).
    /// While direct, the direct URL is checked at once and dropped if it no longer answers.
    public func networkChanged() {
        probeStep = 0
        if let link = state.directLink {
            let direct = directPath
            let clock = self.clock
            let cap = policy.probeRoundCap
            Task {
                let result = (try? await Attempt<ProbeResult>().run(timeout: cap, clock: clock) {
                    await direct.probe(link.url, fingerprint: link.fingerprint)
                }) ?? .timedOut
                self.networkCheckFinished(link: link, result: result)
            }
        } else {
            requestProbe(reason: "network changed")
        }
    }

    /// Replaces the LAN-discovered candidates (§9); new ones are probed at once unless direct.
    public func setDiscoveredCandidates(_ urls: [URL]) {
        let before = Set(candidateURLs)
        discovered = urls
        let keep = Set(candidateURLs)
        candidateRecords = candidateRecords.filter { keep.contains($0.key) }
        publish()
        if !keep.subtracting(before).isEmpty { requestProbe(reason: "new LAN candidate") }
    }

    private func networkCheckFinished(link: DirectLink, result: ProbeResult) {
        guard state.directLink?.id == link.id else { return }
        if let failure = result.failureDescription {
            directFailed(linkID: link.id, reason: "network changed: \(failure)", probeAtOnce: true)
        }
    }

    /// Starts a probe round unless one is running (then another follows it) or direct is in use.
    func requestProbe(reason: String) {
        switch state {
        case .connecting, .relay, .offline: break
        case .idle, .dual, .direct, .stopped: return
        }
        if probeRoundTask != nil {
            reprobeRequested = true
            return
        }
        cancelProbeTimer()
        let now = clock.now()
        let urls = candidateURLs.filter { (candidateRecords[$0]?.heldOffUntil ?? now) <= now }
        let fingerprint = announced.certificateFingerprint
        // No pin means no direct path (§6) — unless there is no relay: a direct-only path owns
        // its TLS mode (§14.2.5). Held-off URLs wait for their time.
        guard fingerprint != nil || isDirectOnly, !urls.isEmpty else {
            probeRoundFailed()
            return
        }
        logger.debug("probe round", metadata: ["reason": "\(reason)", "candidates": "\(urls.count)"])
        probeRoundTask = Task { await self.runProbeRound(urls, fingerprint: fingerprint) }
    }

    private func runProbeRound(_ urls: [URL], fingerprint: String?) async {
        var fingerprint = fingerprint
        let first = await probeConcurrently(urls, fingerprint: fingerprint)
        var winner = first.winner
        var mismatched = urls.filter { if case .pinMismatch? = first.results[$0] { return true } else { return false } }
        if !mismatched.isEmpty, !Task.isCancelled {
            // PROTOCOL.md §12.21: refresh direct_urls/cert_fingerprint by a fresh handshake first
            // (a direct-only manager has no handshake to ask).
            if let refreshDirectConfiguration {
                do {
                    updateConfiguration(try await refreshDirectConfiguration())
                    publish()
                } catch {
                    logger.notice("direct configuration refresh failed", metadata: ["error": "\(Self.describe(error))"])
                }
            }
            mismatched = mismatched.filter { candidateURLs.contains($0) }
            if let current = announced.certificateFingerprint, current != fingerprint, !Task.isCancelled {
                fingerprint = current
                let retry = await probeConcurrently(mismatched, fingerprint: current)
                if winner == nil { winner = retry.winner }
                mismatched = mismatched.filter { if case .pinMismatch? = retry.results[$0] { return true } else { return false } }
            }
            let until = clock.now() + policy.pinMismatchHoldOff
            for url in mismatched { candidateRecords[url, default: CandidateRecord()].heldOffUntil = until }
        }
        probeRoundTask = nil
        guard !Task.isCancelled, !isStopped else { return }
        if let winner {
            promote(winner, fingerprint: fingerprint)
        } else {
            probeRoundFailed()
        }
        if reprobeRequested {
            reprobeRequested = false
            requestProbe(reason: "requested during a round")
        }
    }

    /// Probes `urls` concurrently within the round cap (§12.20). The winner is the first URL in
    /// list order that succeeded once every URL before it has failed, so the round ends early.
    private func probeConcurrently(_ urls: [URL], fingerprint: String?) async -> (winner: URL?, results: [URL: ProbeResult]) {
        let direct = directPath
        let clock = self.clock
        let deadline = clock.now() + policy.probeRoundCap
        var results: [URL: ProbeResult] = [:]
        var winner: URL?
        await withTaskGroup(of: (URL, ProbeResult).self) { group in
            for url in urls {
                group.addTask {
                    let result = (try? await Attempt<ProbeResult>().run(timeout: deadline - clock.now(), clock: clock) {
                        await direct.probe(url, fingerprint: fingerprint)
                    }) ?? .timedOut
                    return (url, result)
                }
            }
            for await (url, result) in group {
                if Task.isCancelled { break }
                results[url] = result
                recordProbe(url, result: result)
                if let first = urls.first(where: { results[$0].map(\.isOK) ?? true }), results[first]?.isOK == true {
                    winner = first
                    group.cancelAll()
                    break
                }
            }
            group.cancelAll()
        }
        return (winner, results)
    }

    private func recordProbe(_ url: URL, result: ProbeResult) {
        var record = candidateRecords[url] ?? CandidateRecord()
        record.lastResult = result
        record.lastProbedAt = clock.now()
        candidateRecords[url] = record
        if case .ok(let rtt) = result { directStatistics.roundTripTime = rtt }
        publish()
    }

    /// After a full failed round: wait the next backoff step (§8.2). A direct-only manager keeps
    /// the verdict on its most preferred URL and goes `offline` (requests then fail with it).
    func probeRoundFailed() {
        firstProbeRoundEnded()
        if isDirectOnly {
            directRefusal = candidateURLs.lazy.compactMap { self.candidateRecords[$0]?.lastResult }.first { !$0.isOK }
                ?? .transportError("no address to try")
            if !handle(.probeRoundFailed, reason: directRefusal?.failureDescription ?? "probe failed") { publish() }
        }
        scheduleProbe(after: nextBackoffDelay())
    }

    /// Wakes the requests that waited for the first probe round (`currentRoute`).
    func firstProbeRoundEnded() {
        guard firstProbeRoundPending else { return }
        firstProbeRoundPending = false
        resumeStateWaiters()
    }

    /// The delay for the current backoff step with jitter ×U[0.5, 1.5), capped while media
    /// streams over the relay (§8.2); advances the step.
    func nextBackoffDelay() -> Duration {
        let steps = policy.probeBackoff
        let base = steps.isEmpty ? Duration.seconds(300) : steps[min(probeStep, steps.count - 1)]
        probeStep += 1
        let unit = min(max(random(), 0), 0.999_999_999)
        var delay = base * (0.5 + unit)
        if mediaStreamsOverRelay { delay = min(delay, policy.probeBackoffCapWhileStreaming) }
        return delay
    }

    /// Whether an HLS or file stream is running over the relay.
    var mediaStreamsOverRelay: Bool {
        exchanges.values.contains { $0.path == .relay && $0.isMedia }
    }

    func scheduleProbe(after delay: Duration) {
        cancelProbeTimer()
        probeTimerGeneration += 1
        let generation = probeTimerGeneration
        nextProbeAt = clock.now() + delay
        let clock = self.clock
        probeTimerTask = Task {
            guard (try? await clock.sleep(delay)) != nil else { return }
            self.probeTimerFired(generation)
        }
        publish()
    }

    /// A media stream started over the relay: bring a far-off probe within the cap (§8.2).
    func applyStreamingCap() {
        guard let due = nextProbeAt, probeTimerTask != nil else { return }
        let remaining = due - clock.now()
        if remaining > policy.probeBackoffCapWhileStreaming {
            scheduleProbe(after: policy.probeBackoffCapWhileStreaming)
        }
    }

    func cancelProbeTimer() {
        probeTimerTask?.cancel()
        probeTimerTask = nil
        probeTimerGeneration += 1
        nextProbeAt = nil
    }

    private func probeTimerFired(_ generation: Int) {
        guard generation == probeTimerGeneration else { return }
        probeTimerTask = nil
        nextProbeAt = nil
        requestProbe(reason: "backoff elapsed")
    }
}
