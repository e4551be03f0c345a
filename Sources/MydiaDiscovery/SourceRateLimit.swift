/// How many unicast-triggered replies the responder sends to one source address: at most `limit`
/// per `window`, the table itself bounded, so a flood of queries cannot turn the responder into an
/// amplifier (RFC 6762 §6 asks responders not to answer the same question more than once a second).
struct SourceRateLimit {
    let limit: Int
    let window: Duration
    let maxSources: Int
    private var seen: [String: (start: Duration, count: Int)] = [:]

    init(limit: Int = 8, window: Duration = .seconds(1), maxSources: Int = 256) {
        self.limit = limit
        self.window = window
        self.maxSources = maxSources
    }

    /// Whether a reply to `source` may go out at `now` (a monotonic offset); counts it when it may.
    mutating func admit(_ source: String, now: Duration) -> Bool {
        if var entry = seen[source], now - entry.start < window {
            guard entry.count < limit else { return false }
            entry.count += 1
            seen[source] = entry
            return true
        }
        if seen.count >= maxSources {
            seen = seen.filter { now - $0.value.start < window }
            // Still full of sources inside their window: refuse the newcomer rather than grow.
            guard seen.count < maxSources else { return false }
        }
        seen[source] = (now, 1)
        return true
    }
}
