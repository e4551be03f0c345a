import Testing
@testable import MydiaDiscovery

@Suite struct ResponderAndCacheTests {
    let advertisement = ServiceAdvertisement.enabled(instanceID: "0b7c4a6e-8d1f-4c1a-9a55-5f2c8e3d9a10", instanceName: "Wohnzimmer", port: 8443)
    var records: [DNSResourceRecord] { advertisement.records(ipv4: [[192, 0, 2, 7]]) }
    let ptrQuestion = DNSQuestion(name: ServiceAdvertisement.serviceType, type: .ptr)

    @Test func aPTRQueryGetsThePTRAndEverythingNeededToConnect() throws {
        let reply = try #require(MDNSResponder.reply(to: DNSMessage(questions: [ptrQuestion]), records: records, legacy: false))
        #expect(reply.isResponse && reply.id == 0 && reply.questions.isEmpty)
        #expect(reply.answers.map(\.type) == [.ptr])
        #expect(Set(reply.additionals.map(\.type)) == [.srv, .txt, .a])
        // What the reply says is enough for a browser's cache to produce the service.
        var cache = MDNSCache()
        cache.insert(reply, at: .now)
        let service = try #require(cache.services().complete.first)
        #expect(service.port == 8443 && service.addresses == ["192.0.2.7"] && service.instanceID == "0b7c4a6e-8d1f-4c1a-9a55-5f2c8e3d9a10")
    }

    @Test func knownAnswersWithHalfTheTTLSuppressTheReply() {
        let ptr = records[0]
        #expect(MDNSResponder.reply(to: DNSMessage(questions: [ptrQuestion], answers: [ptr.withTTL(3000)]), records: records, legacy: false) == nil)
        // A known answer about to expire does not suppress it.
        #expect(MDNSResponder.reply(to: DNSMessage(questions: [ptrQuestion], answers: [ptr.withTTL(100)]), records: records, legacy: false) != nil)
    }

    @Test func otherQuestionsResponsesAndOtherOpcodesGetNoReply() {
        #expect(MDNSResponder.reply(to: DNSMessage(questions: [DNSQuestion(name: DNSName("_http._tcp.local"), type: .ptr)]),
                                    records: records, legacy: false) == nil)
        #expect(MDNSResponder.reply(to: DNSMessage(flags: DNSMessage.responseFlags, questions: [ptrQuestion]), records: records, legacy: false) == nil)
        #expect(MDNSResponder.reply(to: DNSMessage(flags: 0x2800, questions: [ptrQuestion]), records: records, legacy: false) == nil)
    }

    @Test func aLegacyUnicastQueryGetsItsIdQuestionsAndShortTTLs() throws {
        let query = DNSMessage(id: 0xbeef, questions: [DNSQuestion(name: advertisement.hostName, type: .any)])
        let reply = try #require(MDNSResponder.reply(to: query, records: records, legacy: true))
        #expect(reply.id == 0xbeef && reply.questions == query.questions)
        #expect(reply.answers.map(\.data) == [.a([192, 0, 2, 7])])
        #expect(reply.allRecords.allSatisfy { $0.ttl <= 10 && !$0.cacheFlush })
    }

    @Test func cacheHonoursTTLGoodbyeAndCacheFlush() throws {
        let t0 = ContinuousClock.now
        var cache = MDNSCache()
        cache.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: records), at: t0)
        #expect(cache.services().complete.count == 1)
        // The A record (TTL 120) expires first: the service is incomplete and the host is asked for.
        cache.expire(at: t0 + .seconds(121))
        #expect(cache.services().complete.isEmpty)
        #expect(cache.services().missing.contains(DNSQuestion(name: advertisement.hostName, type: .srv)) ||
                cache.services().missing.contains(DNSQuestion(name: advertisement.instanceName, type: .srv)))

        var fresh = MDNSCache()
        fresh.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: records), at: t0)
        // A cache-flush A record with a new address replaces the old one a second later.
        let moved = DNSResourceRecord(name: advertisement.hostName, ttl: 120, cacheFlush: true, data: .a([192, 0, 2, 9]))
        fresh.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: [moved]), at: t0 + .seconds(5))
        fresh.expire(at: t0 + .seconds(7))
        #expect(fresh.services().complete.first?.addresses == ["192.0.2.9"])
        // Goodbye (TTL 0): gone a second later.
        fresh.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: [records[0].withTTL(0)]), at: t0 + .seconds(8))
        fresh.expire(at: t0 + .seconds(10))
        #expect(fresh.services().complete.isEmpty)
    }

    @Test func cacheAsksAgainAt80PercentOfATTLOnce() {
        let t0 = ContinuousClock.now
        var cache = MDNSCache()
        cache.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: records), at: t0)
        #expect(cache.refreshQuestions(at: t0 + .seconds(90)).isEmpty)
        let due = cache.refreshQuestions(at: t0 + .seconds(97))  // 80 % of 120 s: SRV and A
        #expect(Set(due.map(\.type)) == [.srv, .a])
        #expect(cache.refreshQuestions(at: t0 + .seconds(98)).isEmpty)
        #expect(!cache.knownAnswers(at: t0 + .seconds(10)).isEmpty)
        #expect(cache.knownAnswers(at: t0 + .seconds(2300)).isEmpty)
    }

    @Test func cacheIgnoresUnrelatedRecordsAndQueries() {
        var cache = MDNSCache()
        let other = DNSResourceRecord(name: DNSName("_http._tcp.local"), ttl: 4500, data: .ptr(DNSName("x._http._tcp.local")))
        let stray = DNSResourceRecord(name: DNSName("printer.local"), ttl: 120, data: .a([192, 0, 2, 1]))
        cache.insert(DNSMessage(flags: DNSMessage.responseFlags, answers: [other, stray]), at: .now)
        cache.insert(DNSMessage(answers: records), at: .now)  // a query's known answers are not news
        #expect(cache.entries.isEmpty)
    }

    @Test func ipv6AddressesAreWrittenTheShortWay() {
        #expect(IPv6Text.format([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]) == "2001:db8::1")
        #expect(IPv6Text.format([UInt8](repeating: 0, count: 16)) == "::")
        #expect(IPv6Text.format([0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 5]) == "1:0:2:0:3:0:4:5")
    }
}
