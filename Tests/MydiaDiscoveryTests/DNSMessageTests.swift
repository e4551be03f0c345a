import Testing
@testable import MydiaDiscovery

@Suite struct DNSMessageTests {
    let instance = DNSName(labels: ["Wohn.zimmer ü", "_mydia", "_tcp", "local"])

    @Test func everyRecordTypeSurvivesEncodeAndDecode() throws {
        let message = DNSMessage(
            id: 0x1234, flags: DNSMessage.responseFlags,
            questions: [DNSQuestion(name: ServiceAdvertisement.serviceType, type: .ptr, unicastResponse: true)],
            answers: [
                DNSResourceRecord(name: ServiceAdvertisement.serviceType, ttl: 4500, data: .ptr(instance)),
                DNSResourceRecord(name: instance, ttl: 120, cacheFlush: true,
                                  data: .srv(priority: 1, weight: 2, port: 8443, target: DNSName("host.local"))),
                DNSResourceRecord(name: instance, ttl: 4500, cacheFlush: true, data: .txt([Array("v=1".utf8), Array("id=abc".utf8)])),
            ],
            authorities: [DNSResourceRecord(name: DNSName("host.local"), ttl: 1, data: .other(.nsec, [0, 1, 2]))],
            additionals: [
                DNSResourceRecord(name: DNSName("host.local"), ttl: 120, cacheFlush: true, data: .a([192, 0, 2, 7])),
                DNSResourceRecord(name: DNSName("host.local"), ttl: 120, cacheFlush: true, data: .aaaa(Array(1...16))),
            ])
        let decoded = try DNSMessage.decode(message.encode())
        #expect(decoded == message)
        #expect(decoded.answers[0].data == .ptr(instance))
        #expect(decoded.isResponse && decoded.questions[0].unicastResponse)
    }

    @Test func namesAreComparedCaseInsensitivelyForASCIIOnly() {
        #expect(DNSName("_MYDIA._tcp.LOCAL.") == ServiceAdvertisement.serviceType)
        #expect(Set([DNSName("A.local"), DNSName("a.LOCAL")]).count == 1)
        #expect(DNSName(labels: ["Ü"]) != DNSName(labels: ["ü"]))
        #expect(instance.description == "Wohn\\.zimmer ü._mydia._tcp.local.")
    }

    /// A response as Avahi and Bonjour write it: names after the first are compression pointers.
    @Test func decodesCompressedNames() throws {
        var bytes: [UInt8] = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]
        // _mydia._tcp.local. at offset 12
        bytes += [6] + Array("_mydia".utf8) + [4] + Array("_tcp".utf8) + [5] + Array("local".utf8) + [0]
        bytes += [0, 12, 0, 1, 0, 0, 0x11, 0x94]  // PTR IN 4500
        let rdata: [UInt8] = [3] + Array("abc".utf8) + [0xc0, 12]  // "abc" + pointer to the type
        bytes += [0, UInt8(rdata.count)] + rdata
        let message = try DNSMessage.decode(bytes)
        #expect(message.answers.first?.data == .ptr(DNSName("abc._mydia._tcp.local")))
        #expect(message.answers.first?.ttl == 4500)
    }

    @Test func rejectsPointerLoopsForwardPointersAndTruncation() {
        var loop: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        loop += [1, 0x61, 0xc0, 12, 0, 12, 0, 1]  // label "a" then a pointer back to itself
        #expect(throws: DNSMessage.DecodingError.badName("compression pointer does not point backwards")) { try DNSMessage.decode(loop) }
        var forward: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        forward += [0xc0, 20, 0, 12, 0, 1, 0, 0, 1, 0x61, 0]
        #expect(throws: DNSMessage.DecodingError.self) { try DNSMessage.decode(forward) }
        let valid = DNSMessage(questions: [DNSQuestion(name: instance, type: .any)]).encode()
        for cut in 0..<valid.count {
            #expect(throws: DNSMessage.DecodingError.self) { try DNSMessage.decode(valid.prefix(cut)) }
        }
        #expect(throws: DNSMessage.DecodingError.tooLarge) { try DNSMessage.decode([UInt8](repeating: 0, count: 9001)) }
    }

    /// Found by the `dns` fuzz target: a label that is not UTF-8 was read with U+FFFD in place of
    /// each bad byte, so it re-encoded longer than 63 bytes and was cut mid-character. It is refused
    /// now, and a long UTF-8 label is cut at a character boundary.
    @Test func aLabelThatIsNotUTF8IsRefusedAndLongLabelsAreCutAtACharacter() throws {
        var bytes: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += [3, 0x61, 0xff, 0xfe, 0, 0, 12, 0, 1]
        #expect(throws: DNSMessage.DecodingError.badName("a label is not UTF-8")) { try DNSMessage.decode(bytes) }
        let long = DNSName(labels: [String(repeating: "é", count: 40), "local"])  // 80 bytes of UTF-8
        let encoded = DNSMessage(questions: [DNSQuestion(name: long, type: .any)]).encode()
        let label = try #require(try DNSMessage.decode(encoded).questions.first?.name.labels.first)
        #expect(label == String(repeating: "é", count: 31))  // 62 bytes: the 32nd "é" would not fit
    }

    @Test func aHugeRecordCountInATinyPacketIsRejectedAtOnce() {
        let bytes: [UInt8] = [0, 0, 0x84, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]
        #expect(throws: DNSMessage.DecodingError.truncated) { try DNSMessage.decode(bytes) }
    }

    /// Seeded mutations of real packets plus random bytes: decoding throws or succeeds, never
    /// traps, and whatever decodes encodes again.
    @Test func malformedPacketsNeverCrash() throws {
        let advertisement = ServiceAdvertisement.enabled(instanceID: "0b7c4a6e-8d1f-4c1a-9a55-5f2c8e3d9a10", instanceName: "Wohnzimmer", port: 8443)
        let seeds = [
            DNSMessage(flags: DNSMessage.responseFlags, answers: advertisement.records(ipv4: [[192, 0, 2, 7]])).encode(),
            DNSMessage(questions: [DNSQuestion(name: ServiceAdvertisement.serviceType, type: .ptr)]).encode(),
        ]
        var rng = SplitMix(seed: 0x6d79_6469_61)
        var decoded = 0
        for i in 0..<30_000 {
            var bytes: [UInt8]
            if i % 10 == 0 {
                bytes = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = seeds[i % seeds.count]
                for _ in 0...(rng.next() % 6) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 4 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes[at] = 0xc0
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int(rng.next() % 8)))
                    default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                    }
                    if bytes.isEmpty { bytes = [0] }
                }
            }
            if let message = try? DNSMessage.decode(bytes) {
                decoded += 1
                _ = try? DNSMessage.decode(message.encode())
                _ = MDNSResponder.reply(to: message, records: advertisement.records(ipv4: [[127, 0, 0, 1]]), legacy: i % 2 == 0)
                var cache = MDNSCache()
                cache.insert(message, at: .now)
                _ = cache.services()
            }
        }
        #expect(decoded > 100)  // the mutations reach the record parsers, not just the header check
    }
}

/// A small seeded generator so the fuzz loop is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
