import Foundation
import Synchronization
import Testing
@testable import MydiaCrypto

/// PROTOCOL.md §4.2–§4.5 with §11.4, §11.12 and §12.11: the vectors of mydia-transport-v1.json
/// plus the properties a single-message test cannot see (nonce byte order, counter boundaries,
/// state untouched by bad frames, key-phase commits).
@Suite struct SecureChannelTests {
    let vectors: [String: Any]
    let c1: SecretBytes, c2: SecretBytes
    init() throws {
        vectors = try Fixtures.json("mydia-transport-v1.json")
        let keys = try vectors.object("keys")
        c1 = SecretBytes(copying: try keys.hex("c1"))
        c2 = SecretBytes(copying: try keys.hex("c2"))
    }

    func pair(_ configuration: SecureChannel.Configuration = .init()) -> (client: SecureChannel, instance: SecureChannel) {
        (SecureChannel(role: .client, c1: c1, c2: c2, configuration: configuration),
         SecureChannel(role: .instance, c1: c1, c2: c2, configuration: configuration))
    }

    func accepted(_ r: SecureChannel.Received, sourceLocation: SourceLocation = #_sourceLocation) -> SecureChannel.ReceivedFrame? {
        guard case .accepted(let f) = r else { Issue.record("expected accept, got \(r)", sourceLocation: sourceLocation); return nil }
        return f
    }

    /// `seal(channel:inPlace:)` on a frame built around `plaintext` (header and tag room filled with
    /// a marker the seal must overwrite).
    static func sealInPlace(_ sender: inout SecureChannel, _ channel: Channel, _ plaintext: [UInt8]) throws -> [UInt8] {
        var frame = [UInt8](repeating: 0xEE, count: FrameHeader.length) + plaintext + [UInt8](repeating: 0xEE, count: FrameHeader.tagLength)
        try frame.withUnsafeMutableBytes { try sender.seal(channel: channel, inPlace: $0) }
        return frame
    }

    @Test func rekeyedKeysMatchTheVectors() throws {
        let keys = try vectors.object("keys")
        #expect(ChaChaPoly.rekey(c1).exposedCopy() == (try keys.hex("rekey(c1)")))
        #expect(ChaChaPoly.rekey(ChaChaPoly.rekey(c1)).exposedCopy() == (try keys.hex("rekey(rekey(c1))")))
        #expect(ChaChaPoly.rekey(c2).exposedCopy() == (try keys.hex("rekey(c2)")))
        let cross = try vectors.object("rekey_cross_check")
        #expect(ChaChaPoly.rekey(SecretBytes(copying: try cross.hex("k"))).exposedCopy() == (try cross.hex("rekeyed_k")))
    }

    @Test func everyVectorFrameIsSealedAndOpenedByteForByte() throws {
        let frames = try vectors.objects("frames")
        #expect(frames.count == 13)
        for v in frames {
            let name = try v.string("name")
            let fromClient = try v.string("direction") == "client->instance"
            let rekeys = try v.string("key_name").components(separatedBy: "rekey(").count - 1
            // Rekeys are reached the honest way: a 1-message key lifetime and throwaway frames.
            let (client, instance) = pair(rekeys > 0 ? .init(rekeyAfterMessages: 1) : .init())
            var sender = fromClient ? client : instance
            var receiver = fromClient ? instance : client
            for _ in 0..<rekeys { _ = accepted(receiver.open(try sender.seal(channel: .api, plaintext: [0]))) }
            if rekeys == 0 { sender.txCounter = try v.uint64("counter") }
            let channel = try #require(Channel(rawValue: UInt8(try v.uint64("channel"))))
            // The 64 KiB frame is given by recipe, length, SHA-256 and tag instead of in full.
            let plaintext = v["plaintext"] != nil
                ? try v.hex("plaintext") : (0..<Int(try v.uint64("plaintext_len"))).map { UInt8($0 % 251) }
            var twin = sender
            let frame = try sender.seal(channel: channel, plaintext: plaintext)
            // The same frame sealed where it lies (the instance's zero-copy send path).
            let inPlace = try Self.sealInPlace(&twin, channel, plaintext)
            #expect(inPlace == frame, "\(name), sealed in place")
            #expect(twin.sendPosition == sender.sendPosition, "\(name), sealed in place")
            if v["frame"] != nil {
                #expect(frame == (try v.hex("frame")), "\(name)")
            } else {
                #expect(UInt64(frame.count) == (try v.uint64("frame_len")), "\(name)")
                #expect(SHA256.hash(frame) == (try v.hex("frame_sha256")), "\(name)")
                #expect(Array(frame.suffix(16)) == (try v.hex("tag")), "\(name)")
            }
            #expect(Array(frame.prefix(11)) == (try v.hex("header")), "\(name): header")
            let got = accepted(receiver.open(frame))
            #expect(got?.plaintext == plaintext && got?.channel == channel, "\(name)")
            let counter = try v.uint64("counter"), phase = UInt8(try v.uint64("key_phase"))
            #expect(got?.counter == counter && got?.keyPhase == phase)
        }
    }

    @Test func invalidVectorFramesAreDroppedForTheRightReason() throws {
        let cases = try vectors.objects("invalid")
        #expect(cases.count == 6)
        for v in cases {
            let key = SecretBytes(copying: try v.hex("key"))
            // The key is the client's transmit key, so the receiver is the instance.
            var receiver = SecureChannel(role: .instance, c1: SecretBytes.random(count: 32), c2: key)
            let expected: SecureChannel.DropReason = switch try v.string("expect") {
            case "drop (mac)": .authenticationFailed
            case "drop (header)": .malformedHeader
            case "drop (reserved counter)": .reservedCounter
            default: throw Fixtures.FixtureError.field("expect")
            }
            let name = try v.string("name"), frame = try v.hex("frame")
            #expect(receiver.open(frame) == .dropped(expected), "\(name)")
            #expect(receiver.lastAccepted == nil && receiver.rxPhase == 0)
        }
    }

    @Test func receiverSequenceGivesEveryVerdict() throws {
        let seq = try vectors.object("receiver_sequence")
        var receiver = SecureChannel(role: .client, c1: SecretBytes(copying: try seq.hex("rx_key")), c2: SecretBytes.random(count: 32))
        let steps = try seq.objects("frames")
        #expect(steps.count == 15)
        for step in steps {
            let verdict: String = switch receiver.open(try step.hex("frame")) {
            case .accepted: "accept"
            case .dropped(.replay): "drop:replay"
            case .dropped(.authenticationFailed): "drop:mac"
            case .dropped(let other): "drop:\(other)"
            }
            let note = try step.string("note")
            #expect(verdict == (try step.string("expect")), "\(note)")
        }
    }

    @Test func countersCrossTheBoundariesWithBigEndianNonces() throws {
        var (client, instance) = pair()
        for counter: UInt64 in [0, 1, 256, (1 << 32) - 1] {
            client.txCounter = counter
            let frame = try client.seal(channel: .api, plaintext: [7, 7])
            // Recompute independently: nonce = 00000000 || counter (big-endian), AD = header.
            let header = FrameHeader(channel: .api, keyPhase: 0, counter: counter).bytes
            var nonce = [UInt8](repeating: 0, count: 4)
            for shift in stride(from: 56, through: 0, by: -8) { nonce.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift))) }
            #expect(frame == header + ChaChaPoly.seal(key: c2, nonce: nonce, ad: header, plaintext: [7, 7]), "counter \(counter)")
            #expect(accepted(instance.open(frame))?.counter == counter)
        }
        // The frame that would carry 2^32 goes out under the next key with counter 0 (§11.12).
        let next = try client.seal(channel: .media, plaintext: [1])
        #expect(Array(next.prefix(11)) == FrameHeader(channel: .media, keyPhase: 1, counter: 0).bytes)
        let f = accepted(instance.open(next))
        #expect(f?.keyPhase == 1 && f?.plaintext == [1])
    }

    @Test func oneBitFlipAnywhereDropsTheFrameAndChangesNothing() throws {
        var (client, instance) = pair()
        _ = accepted(instance.open(try client.seal(channel: .api, plaintext: [1, 2, 3])))
        let good = try client.seal(channel: .api, plaintext: Array(repeating: 9, count: 40))
        for index in 0..<good.count {
            for bit in [0, 7] where index < 11 || bit == 0 {
                var bad = good
                bad[index] ^= UInt8(1 << bit)
                let before = (instance.lastAccepted, instance.rxPhase)
                guard case .dropped(let reason) = instance.open(bad) else {
                    Issue.record("byte \(index) bit \(bit) flipped was accepted"); continue
                }
                #expect([.malformedHeader, .authenticationFailed, .replay].contains(reason))
                #expect(instance.lastAccepted == before.0 && instance.rxPhase == before.1, "byte \(index)")
            }
        }
        #expect(accepted(instance.open(good))?.plaintext == Array(repeating: 9, count: 40))
    }

    @Test func replayedAndOlderFramesAreDroppedWithoutClosing() throws {
        var (client, instance) = pair()
        let f0 = try client.seal(channel: .api, plaintext: [0])
        let f1 = try client.seal(channel: .api, plaintext: [1])
        let f2 = try client.seal(channel: .media, plaintext: [2])
        _ = accepted(instance.open(f0))
        _ = accepted(instance.open(f2))
        #expect(instance.open(f2) == .dropped(.replay))
        #expect(instance.open(f1) == .dropped(.replay))
        #expect(instance.open(f0) == .dropped(.replay))
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [3])))?.plaintext == [3])
    }

    @Test func counterGapsAreAcceptedAndReported() throws {
        var (client, instance) = pair()
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [])))?.skippedCounters == 0)
        _ = try client.seal(channel: .api, plaintext: [])  // withheld in transit
        _ = try client.seal(channel: .api, plaintext: [])  // withheld in transit
        let f = accepted(instance.open(try client.seal(channel: .api, plaintext: [])))
        #expect(f?.counter == 3 && f?.skippedCounters == 2)
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [])))?.skippedCounters == 0)
    }

    @Test func truncatedOversizeAndBadHeadersAreRejected() throws {
        var (client, instance) = pair()
        let good = try client.seal(channel: .api, plaintext: [1, 2, 3])
        for n in [0, 1, 10, 11, 26] {
            #expect(instance.open(Array(good.prefix(n))) == .dropped(.malformedHeader))
        }
        var wrong = good; wrong[0] = 0x02
        #expect(instance.open(wrong) == .dropped(.malformedHeader))
        wrong = good; wrong[1] = 0x00
        #expect(instance.open(wrong) == .dropped(.malformedHeader))
        wrong = good; wrong[2] = 0x80
        #expect(instance.open(wrong) == .dropped(.malformedHeader))
        #expect(instance.open(good + [UInt8](repeating: 0, count: 65_537)) == .dropped(.oversize))
        #expect(throws: SecureChannel.Error.plaintextTooLarge(65_537)) {
            try client.seal(channel: .media, plaintext: [UInt8](repeating: 0, count: 65_537))
        }
        #expect(throws: SecureChannel.Error.plaintextTooLarge(65_537)) {
            _ = try Self.sealInPlace(&client, .media, [UInt8](repeating: 0, count: 65_537))
        }
        let biggest = try client.seal(channel: .media, plaintext: [UInt8](repeating: 5, count: 65_536))
        #expect(biggest.count == FrameHeader.maxFrame)
        #expect(accepted(instance.open(biggest))?.plaintext.count == 65_536)
        #expect(instance.open(good) == .dropped(.replay))
    }

    @Test func rekeyAcrossTheConfiguredBoundaryFlipsThePhase() throws {
        var (client, instance) = pair(.init(rekeyAfterMessages: 3))
        var seen: [(UInt8, UInt64)] = []
        for i in 0..<8 {
            let f = accepted(instance.open(try client.seal(channel: .api, plaintext: [UInt8(i)])))
            seen.append((f?.keyPhase ?? 9, f?.counter ?? 99))
        }
        #expect(seen.map(\.0) == [0, 0, 0, 1, 1, 1, 0, 0])
        #expect(seen.map(\.1) == [0, 1, 2, 0, 1, 2, 0, 1])
    }

    @Test func oldPhaseFramesAreDroppedAfterTheCommit() throws {
        var (client, instance) = pair(.init(rekeyAfterMessages: 2))
        let a = try client.seal(channel: .api, plaintext: [0])
        let b = try client.seal(channel: .api, plaintext: [1])
        let c = try client.seal(channel: .api, plaintext: [2])  // phase 1
        _ = accepted(instance.open(a))
        _ = accepted(instance.open(c))
        #expect(instance.rxPhase == 1)
        // `b` was never accepted, but it belongs to the old phase: its key is gone.
        #expect(instance.open(b) == .dropped(.authenticationFailed))
    }

    @Test func forgedPhaseFlipDoesNotCommitTheNextKey() throws {
        var (client, instance) = pair()
        _ = accepted(instance.open(try client.seal(channel: .api, plaintext: [0])))
        var forged = FrameHeader(channel: .api, keyPhase: 1, counter: 0).bytes
        forged += [UInt8](repeating: 0x42, count: 20)
        #expect(instance.open(forged) == .dropped(.authenticationFailed))
        #expect(instance.rxPhase == 0 && instance.lastAccepted == 0)
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [1])))?.keyPhase == 0)
    }

    @Test func timeLimitRekeysAtTheNextSend() throws {
        let clock = ManualTime()
        var (client, instance) = pair(.init(rekeyInterval: .seconds(3600), now: { clock.now }))
        _ = accepted(instance.open(try client.seal(channel: .api, plaintext: [0])))
        clock.advance(.seconds(3599))
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [1])))?.keyPhase == 0)
        clock.advance(.seconds(1))
        let f = accepted(instance.open(try client.seal(channel: .api, plaintext: [2])))
        #expect(f?.keyPhase == 1 && f?.counter == 0)
        // The interval restarts with the new key.
        clock.advance(.seconds(10))
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [3])))?.keyPhase == 1)
    }

    @Test func requestedRekeyWaitsForOneFrameInThePhase() throws {
        var (client, instance) = pair()
        client.requestRekey()
        // Nothing was sent in phase 0 yet, so the first frame still goes out in phase 0 (§11.4).
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [0])))?.keyPhase == 0)
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [1])))?.keyPhase == 1)
        client.requestRekey()
        client.requestRekey()
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [2])))?.keyPhase == 0)
        #expect(accepted(instance.open(try client.seal(channel: .api, plaintext: [3])))?.keyPhase == 0)
    }

    @Test func bothDirectionsAreIndependent() throws {
        var (client, instance) = pair()
        for i in 0..<5 { _ = accepted(instance.open(try client.seal(channel: .api, plaintext: [UInt8(i)]))) }
        let back = accepted(client.open(try instance.seal(channel: .api, plaintext: [9])))
        #expect(back?.counter == 0)
        // A client frame reflected back to the client does not authenticate (different key).
        let own = try client.seal(channel: .api, plaintext: [1])
        #expect(client.open(own) == .dropped(.authenticationFailed))
    }
}

/// A settable monotonic time source for rekey-interval tests.
final class ManualTime: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let start = ContinuousClock.now
    var now: ContinuousClock.Instant { start.advanced(by: offset.withLock { $0 }) }
    func advance(_ d: Duration) { offset.withLock { $0 += d } }
}
