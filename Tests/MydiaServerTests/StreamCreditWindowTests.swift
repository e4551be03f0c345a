@testable import MydiaServer
import MydiaTunnel
import MydiaWire
import Testing

/// A stream's credit never exceeds its window (PROTOCOL.md §5.3, §13.35; issue 18): a peer that
/// grants more is clamped, so the responder never queues more than one window of a stream
/// towards a peer that does not read it.
@Suite struct StreamCreditWindowTests {
    @Test func grantsPastTheWindowAreClamped() async throws {
        let credit = StreamCredit(initial: TunnelLimits.initialCredit)
        #expect(StreamCredit.window == 16 * MediaFrame.maxDataSize)
        #expect(credit.grant(StreamCredit.window - TunnelLimits.initialCredit), "up to the window is fine")
        #expect(credit.available == StreamCredit.window)
        #expect(!credit.grant(1), "one byte past it is clamped")
        #expect(!credit.grant(Int.max), "and so is the largest grant, without overflow")
        #expect(credit.available == StreamCredit.window)
        #expect(try await credit.take(upTo: 100_000) == 100_000)
        #expect(credit.grant(100_000))
        #expect(credit.available == StreamCredit.window)
        #expect(StreamCredit(initial: 10 * StreamCredit.window).available == StreamCredit.window)
    }

    @Test func aClientGrantingUnboundedCreditGetsOneWindowAtATime() async throws {
        let h = try TunnelResponderTests.Harness()
        let total = 4 << 20
        try await h.get(1, "/big?n=\(total)")
        #expect(try await h.response(1).isStreamed)
        var received = try await h.inbox.media(bytes: TunnelLimits.initialCredit)
        received += try TunnelResponderTests.Harness.media(await h.inbox.drain())
        #expect(received.reduce(0) { $0 + $1.data.count } == TunnelLimits.initialCredit)

        // 4 GiB of credit in one message: the stream gets one window's worth and stops there.
        try await h.send(.credit(id: 1, bytes: UInt64(UInt32.max)))
        var more = try await h.inbox.media(bytes: StreamCredit.window)
        more += try TunnelResponderTests.Harness.media(await h.inbox.drain())
        #expect(more.reduce(0) { $0 + $1.data.count } == StreamCredit.window)
        #expect(await h.responder.credit(of: 1) == 0)
    }
}
