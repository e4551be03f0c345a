import Foundation

/// The login rate limit of PROTOCOL.md §14.3: at most `maxFailures` failed attempts per
/// (client address, login name) within `window`; the next attempt is refused before any password
/// is checked. Wrong passwords and wrong TOTP codes both count; a refused attempt does not.
///
/// Attempts still being checked count as failures-to-be, so parallel requests cannot slip more
/// than `maxFailures` guesses past the limit before the first one fails.
struct LoginRateLimit {
    /// Whose attempts are counted together.
    struct Key: Hashable {
        var address: String
        var name: String

        /// The name is compared lowercased and cut to the longest user name (a longer one cannot
        /// exist, and the cut bounds the memory an attacker can make us keep).
        init(address: String, name: String) {
            self.address = String(address.prefix(64))
            self.name = String(name.lowercased().prefix(UserStore.maxUsernameLength + 1))
        }
    }

    let maxFailures: Int
    let window: TimeInterval
    /// Most keys remembered; beyond it the keys whose last failure is oldest are forgotten.
    let maxKeys: Int
    private var failures: [Key: [Date]] = [:]
    private var inFlight: [Key: Int] = [:]

    init(maxFailures: Int, window: TimeInterval, maxKeys: Int) {
        self.maxFailures = maxFailures
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Starts an attempt, or returns `false` when the key has used up its failures.
    mutating func admit(_ key: Key, now: Date) -> Bool {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count + inFlight[key, default: 0] < maxFailures else { return false }
        inFlight[key, default: 0] += 1
        return true
    }

    /// Ends an admitted attempt that failed.
    mutating func failed(_ key: Key, now: Date) {
        finish(key)
        failures[key, default: []].append(now)
        if failures.count > maxKeys { evict(now: now) }
    }

    /// Ends an admitted attempt that signed in: the key's failures are forgiven.
    mutating func succeeded(_ key: Key) {
        finish(key)
        failures[key] = nil
    }

    /// Ends an admitted attempt that neither failed nor signed in (a right password that still
    /// needs its TOTP code).
    mutating func settled(_ key: Key) {
        finish(key)
    }

    /// Failures of the key still inside the window (tests, diagnostics).
    func failureCount(_ key: Key, now: Date) -> Int {
        (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }.count
    }

    private mutating func finish(_ key: Key) {
        let left = inFlight[key, default: 1] - 1
        inFlight[key] = left > 0 ? left : nil
    }

    private mutating func evict(now: Date) {
        failures = failures.filter { _, times in times.contains { now.timeIntervalSince($0) < window } }
        guard failures.count > maxKeys else { return }
        // Down to 90 %, so a flood of new keys sorts once per tenth of the table, not per failure.
        let oldestFirst = failures.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
        for (key, _) in oldestFirst.prefix(failures.count - maxKeys * 9 / 10) { failures[key] = nil }
    }
}
