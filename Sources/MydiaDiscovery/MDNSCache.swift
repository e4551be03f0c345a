/// The browser's record cache (RFC 6762 §5.2, §10): records live for their TTL, a TTL of 0 means
/// "gone in a second", a cache-flush record replaces the older records of its name and type, and
/// each record is re-queried at 80, 85, 90 and 95 % of its lifetime. Only records that can
/// describe a `_mydia._tcp` instance are kept, and at most ``capacity`` of them.
struct MDNSCache: Sendable {
    struct Entry: Sendable {
        var record: DNSResourceRecord
        var received: ContinuousClock.Instant
        var expires: ContinuousClock.Instant
        /// How many of the refresh points (80/85/90/95 %) were queried already.
        var refreshes = 0
    }

    static let capacity = 512
    private static let refreshPoints = [0.80, 0.85, 0.90, 0.95]

    private(set) var entries: [Entry] = []

    /// Adds the records of one response received at `now`.
    mutating func insert(_ message: DNSMessage, at now: ContinuousClock.Instant) {
        guard message.isResponse, message.opcode == 0, message.responseCode == 0 else { return }
        let records = message.allRecords
        let service = ServiceAdvertisement.serviceType
        // Service records first, then the addresses of hosts they (or the cache) name.
        let described = records.filter { r in
            switch r.data {
            case .ptr: r.name == service
            case .srv, .txt: r.name.hasSuffix(service) && r.name.labels.count == service.labels.count + 1
            default: false
            }
        }
        for r in described { insert(r, at: now) }
        let hosts = Set(entries.compactMap { e -> DNSName? in
            if case .srv(_, _, _, let target) = e.record.data { return target }
            return nil
        })
        for r in records where (r.type == .a || r.type == .aaaa) && hosts.contains(r.name) { insert(r, at: now) }
    }

    private mutating func insert(_ record: DNSResourceRecord, at now: ContinuousClock.Instant) {
        if record.cacheFlush {
            // §10.2: other records of this name and type received more than a second ago go in a second.
            for i in entries.indices where entries[i].record.name == record.name && entries[i].record.type == record.type
                && !entries[i].record.sameRecord(as: record) && now - entries[i].received > .seconds(1) {
                entries[i].expires = min(entries[i].expires, now + .seconds(1))
            }
        }
        let expires = record.ttl == 0 ? now + .seconds(1) : now + .seconds(Int64(record.ttl))
        if let i = entries.firstIndex(where: { $0.record.sameRecord(as: record) }) {
            entries[i] = Entry(record: record, received: now, expires: expires)
        } else if entries.count < Self.capacity {
            entries.append(Entry(record: record, received: now, expires: expires))
        }
    }

    /// Drops expired records.
    mutating func expire(at now: ContinuousClock.Instant) {
        entries.removeAll { $0.expires <= now }
    }

    /// Questions due at `now`: records at a refresh point of their lifetime (each point once).
    mutating func refreshQuestions(at now: ContinuousClock.Instant) -> [DNSQuestion] {
        var out: [DNSQuestion] = []
        for i in entries.indices where entries[i].record.ttl > 0 && entries[i].refreshes < Self.refreshPoints.count {
            let lifetime = Double(entries[i].record.ttl)
            let age = now - entries[i].received
            let ageSeconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
            guard ageSeconds >= lifetime * Self.refreshPoints[entries[i].refreshes] else { continue }
            while entries[i].refreshes < Self.refreshPoints.count, ageSeconds >= lifetime * Self.refreshPoints[entries[i].refreshes] {
                entries[i].refreshes += 1
            }
            let q = DNSQuestion(name: entries[i].record.name, type: entries[i].record.type)
            if !out.contains(q) { out.append(q) }
        }
        return out
    }

    /// PTR records of the service type with more than half their TTL left (known answers, §7.1).
    func knownAnswers(at now: ContinuousClock.Instant) -> [DNSResourceRecord] {
        entries.filter { e in
            guard e.record.type == .ptr, e.record.ttl > 0 else { return false }
            return e.expires - now > .seconds(Int64(e.record.ttl / 2))
        }.map { e in
            let left = e.expires - now
            return e.record.withTTL(UInt32(clamping: left.components.seconds))
        }
    }

    /// The services the cache describes completely (SRV and at least one address), and the
    /// questions that would complete the others.
    func services() -> (complete: [DiscoveredService], missing: [DNSQuestion]) {
        let service = ServiceAdvertisement.serviceType
        var complete: [DiscoveredService] = []
        var missing: [DNSQuestion] = []
        var instances: [DNSName] = []
        for e in entries {
            if case .ptr(let instance) = e.record.data, e.record.name == service, e.record.ttl > 0,
               instance.hasSuffix(service), instance.labels.count == service.labels.count + 1, !instances.contains(instance) {
                instances.append(instance)
            }
        }
        for instance in instances {
            let srv = entries.lazy.compactMap { e -> (UInt16, DNSName)? in
                guard e.record.name == instance, case .srv(_, _, let port, let target) = e.record.data else { return nil }
                return (port, target)
            }.first
            let txt = entries.lazy.compactMap { e -> [[UInt8]]? in
                guard e.record.name == instance, case .txt(let strings) = e.record.data else { return nil }
                return strings
            }.first
            guard let (port, host) = srv else {
                missing.append(DNSQuestion(name: instance, type: .srv))
                if txt == nil { missing.append(DNSQuestion(name: instance, type: .txt)) }
                continue
            }
            if txt == nil { missing.append(DNSQuestion(name: instance, type: .txt)) }
            var v4: [String] = [], v6: [String] = []
            for e in entries where e.record.name == host {
                switch e.record.data {
                case .a(let b): v4.append(b.map(String.init).joined(separator: "."))
                case .aaaa(let b): v6.append(IPv6Text.format(b))
                default: break
                }
            }
            guard !(v4.isEmpty && v6.isEmpty) else {
                missing.append(DNSQuestion(name: host, type: .a))
                continue
            }
            complete.append(DiscoveredService(instanceLabel: instance.labels[0], host: host, port: port,
                                              txt: TXTRecord(strings: txt ?? []), addresses: v4.sorted() + v6.sorted()))
        }
        return (complete.sorted { $0.instanceLabel < $1.instanceLabel }, missing)
    }
}

/// RFC 5952 text for a 16-byte IPv6 address (the longest run of zero groups becomes `::`).
enum IPv6Text {
    static func format(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            guard groups[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8, groups[j] == 0 { j += 1 }
            if j - i > bestLength, j - i >= 2 { bestStart = i; bestLength = j - i }
            i = j
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
