import Foundation
import MydiaListener
import MydiaServer
import MydiaTestSupport
import MydiaTransport
import Testing

/// The direct listener bounds the connections it accepts (PROTOCOL.md §13.19): one that never
/// sends a ClientHello, or never finishes its request head, is closed at the header timeout, and
/// connections past the per-address cap are closed as they arrive; a real client is served.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DirectListenerLimitTests {
    @Test func halfOpenAndSlowConnectionsAreClosedAtTheHeaderTimeoutAndTheCapHolds() async throws {
        let stack = try await ServerStack.start { config in
            config.directListener.headerTimeout = .seconds(1)
            config.directListener.maxPerAddress = 4
        }
        defer { Task { await stack.stop() } }
        let port = try #require(await stack.host.currentDirectURLs().first.flatMap(URL.init(string:))?.port)

        // No ClientHello at all, and a ClientHello's first bytes only.
        let silent = try RawConnection(port: port)
        let stalled = try RawConnection(port: port)
        stalled.send("\u{16}\u{03}\u{01}")
        #expect(silent.waitForEnd(seconds: 5) && stalled.waitForEnd(seconds: 5))

        var held = try (0..<4).map { _ in try RawConnection(port: port) }
        let extra = try RawConnection(port: port)
        // The four are looked at first, well inside their 1 s timeout; a slow close of the fifth on
        // a loaded machine must not run the clock out on them.
        #expect(!held[0].waitForEnd(seconds: 0.2), "the first four stay until their timeout")
        #expect(extra.waitForEnd(seconds: 2), "the fifth from one address is closed at once")
        held.removeAll()
        try await Task.sleep(for: .milliseconds(200))

        // A whole request in time, over TLS, is answered.
        let client = try DirectClient(baseURL: "https://127.0.0.1:\(port)", pin: stack.host.identity.fingerprint)
        let response = try await client.request(method: "GET", path: "/api/v1/remote/probe", bearer: nil)
        #expect(response.status == 401)
    }
}
