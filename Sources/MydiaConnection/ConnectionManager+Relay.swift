import Logging
extension ConnectionManager {
    /// Keeps a relay session open for the manager's life: connect, watch, reconnect with the
    /// §8.6 backoff (1, 2, 5, 10, 30 s, then 30 s) while the direct path keeps serving.
    func relayLoop() async {
        guard let connector = self.connector else { return }
        var failures = 0
        while !Task.isCancelled {
            nextRelayAttemptAt = nil
            do {
                let session = try await Attempt<any RelaySession>().run(timeout: policy.relayConnectTimeout, clock: clock) {
                    try await connector.connect()
                }
                if Task.isCancelled || isStopped {
                    await session.close()
                    return
                }
                failures = 0
                relayRefusal = nil
                relayConnected(session)
                let reason = await watch(session)
                guard !Task.isCancelled else { return }
                relayLost(reason: reason)
                await session.close()
            } catch {
                guard !Task.isCancelled else { return }
                logger.notice("relay connect failed", metadata: ["error": "\(Self.describe(error))"])
                let steps = policy.relayReconnectBackoff
                if let refused = error as? RelayRefused {
                    // Retrying soon cannot help; keep trying slowly in case the cause was in the path.
                    relayRefusal = refused.reason
                    failures = max(failures, steps.count - 1)
                }
                if !handle(.relayDown, reason: relayRefusal == nil ? "relay connect failed" : "relay refused this device") { publish() }
            }
            let steps = policy.relayReconnectBackoff
            let delay = steps.isEmpty ? Duration.seconds(1) : steps[min(failures, steps.count - 1)]
            failures += 1
            nextRelayAttemptAt = clock.now() + delay
            publish()
            guard (try? await clock.sleep(delay)) != nil else { return }
        }
    }

    /// Waits until the session ends or stops answering heartbeats; returns the reason.
    private func watch(_ session: any RelaySession) async -> String {
        let clock = self.clock
        let policy = self.policy
        return await withTaskGroup(of: String?.self) { group in
            group.addTask {
                try? await Attempt<String>().run(timeout: nil, clock: clock) { await session.closed() }
            }
            group.addTask {
                while true {
                    guard (try? await clock.sleep(policy.relayHeartbeatInterval)) != nil else { return nil }
                    do {
                        let rtt = try await Attempt<Duration>().run(timeout: policy.relayHeartbeatTimeout, clock: clock) {
                            try await session.ping()
                        }
                        await self.recordRelayRoundTrip(rtt)
                    } catch {
                        if Task.isCancelled { return nil }
                        return "relay heartbeat unanswered"
                    }
                }
            }
            let reason = await group.next() ?? nil
            group.cancelAll()
            return reason ?? "relay session ended"
        }
    }

    var isStopped: Bool {
        if case .stopped = state { return true }
        return false
    }

    private func recordRelayRoundTrip(_ rtt: Duration) {
        relayStatistics.roundTripTime = rtt
        publish()
    }

    private func relayConnected(_ session: any RelaySession) {
        relaySession = session
        relayGeneration += 1
        relayStatistics.isUp = true
        let reconnect = relayConnectedBefore
        relayConnectedBefore = true
        var configurationChanged = false
        if let configuration = session.directConfiguration, configuration != announced {
            updateConfiguration(configuration)
            configurationChanged = true
        }
        if !handle(.relayUp, reason: reconnect ? "relay reconnected" : "relay handshake complete") { publish() }
        // PROTOCOL.md §8.2: re-probe at once on a relay reconnect (and when the handshake brought new URLs).
        if reconnect || configurationChanged { requestProbe(reason: "relay connected") }
    }

    private func relayLost(reason: String) {
        relaySession = nil
        relayStatistics.isUp = false
        relayStatistics.roundTripTime = nil
        logger.notice("relay session lost", metadata: ["reason": "\(reason)"])
        if !handle(.relayDown, reason: reason) { publish() }
    }

    /// Replaces the announced URLs and pin (§11.11), keeping what is known about URLs that stay.
    func updateConfiguration(_ configuration: DirectConfiguration) {
        let pinChanged = configuration.certificateFingerprint != announced.certificateFingerprint
        announced = configuration
        let keep = Set(candidateURLs)
        candidateRecords = candidateRecords.filter { keep.contains($0.key) }
        if pinChanged {
            // A new pin makes old pin-mismatch verdicts meaningless.
            for url in candidateRecords.keys { candidateRecords[url]?.heldOffUntil = nil }
        }
    }

    /// A short description of an error for logs and transitions (no payloads).
    static func describe(_ error: any Swift.Error) -> String {
        if let interruption = error as? AttemptInterruption { return interruption == .timedOut ? "timed out" : "aborted" }
        return String(describing: error).prefix(200).description
    }
}
