import Foundation
import Logging
import MydiaCrypto
import MydiaTestSupport
import MydiaWire
import Synchronization
import Testing

/// The relay's log never carries tunnelled bytes (PROTOCOL.md §2: the relay forwards opaque
/// ciphertext; issue 8's security checks). Everything the relay logs at `trace` — messages and
/// metadata — is captured while marked frames cross it both ways, then searched for the marker in
/// every encoding a log line could plausibly use.
@Suite struct RelayLogSecrecyTests {
    @Test func relayLogHoldsNoPayloadBytesEvenAtTrace() async throws {
        let log = CapturedLog()
        var logger = log.logger("test.relay")
        logger.logLevel = .trace
        let relay = try await RelayHarness.start(logger: logger)
        defer { Task { await relay.stop() } }
        let (instanceSocket, instance) = try await relay.registeredInstance()
        let (client, session) = try await relay.connectedClient(to: instance, instanceSocket: instanceSocket)

        let marker = Array("MYDIA-PAYLOAD-MARKER-\(UUID().uuidString)".utf8)
        let frame = marker + Array(repeating: 0x5a, count: 200) + marker
        client.sendBinary(frame)
        #expect(try await instanceSocket.nextBinary() == RelaySessionFrame.encode(sessionID: session, payload: frame))
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: session, payload: frame))
        #expect(try await client.nextBinary() == frame)
        // A frame for an unknown session and garbage are dropped — and dropping must not log them either.
        instanceSocket.sendBinary(RelaySessionFrame.encode(sessionID: "00000000-0000-4000-8000-000000000000", payload: frame))
        instanceSocket.sendBinary(Array(frame.prefix(20)))
        client.close()
        _ = await instanceSocket.next(timeout: .seconds(2))

        let text = log.all.joined(separator: "\n")
        #expect(!text.isEmpty, "the relay logged nothing at trace, so this test would prove nothing")
        let forms = [String(decoding: marker, as: UTF8.self), Encoding.hex(marker), Encoding.base64(marker),
                     Encoding.base64(Array(marker.dropFirst())), Encoding.base64(Array(marker.dropFirst(2))),
                     marker.map(String.init).joined(separator: ", ")]
        for form in forms { #expect(!text.contains(form.prefix(24)), "payload bytes in the relay log as \(form.prefix(24))…") }
    }
}
