import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaTransport
import MydiaWire
import NIOCore
import WSCore
import Testing

/// Relay and instance behaviour the real peers never show, from a scripted fake relay.
@Suite struct FakeRelayTests {
    @Test func aRelayThatStopsAnsweringPingsLosesThePath() async throws {
        let key = X25519KeyPair.generate().publicKey
        let relay = try await FakeRelay.start { inbound, outbound in
            var (id, messages) = try await FakeRelay.awaitConnect(inbound)
            try await outbound.write(.text(RelayMessage.connected(.init(sessionID: UUID().uuidString.lowercased(), instanceID: id, publicKey: key)).jsonText))
            while try await messages.next() != nil {}  // pings are never answered
        }
        defer { relay.stop() }
        let connection = try await RelayConnection.connect(
            origin: relay.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: key,
            configuration: .init(heartbeatInterval: .milliseconds(100), pongTimeout: .milliseconds(200)))
        try await withTimeout(.seconds(5)) { while connection.endReason == nil { try await Task.sleep(for: .milliseconds(10)) } }
        #expect(connection.endReason == .pathLost)
    }

    @Test func aConnectedWithoutEndToEndEncryptionIsRefused() async throws {
        let key = X25519KeyPair.generate().publicKey
        let relay = try await FakeRelay.start { inbound, outbound in
            var (id, messages) = try await FakeRelay.awaitConnect(inbound)
            try await outbound.write(.text(RelayMessage.connected(.init(sessionID: UUID().uuidString.lowercased(), instanceID: id, publicKey: key, webrtcE2EE: 0)).jsonText))
            while try await messages.next() != nil {}
        }
        defer { relay.stop() }
        await #expect(throws: RelayConnection.Error.encryptionNotOffered) {
            _ = try await RelayConnection.connect(origin: relay.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: key)
        }
    }

    @Test func withheldFramesFailTheRequestRetryablyAndKeepTheSession() async throws {
        let instance = X25519KeyPair.generate()
        let instanceID = UUID().uuidString.lowercased()
        let relay = try await FakeRelay.start { inbound, outbound in
            var (id, messages) = try await FakeRelay.awaitConnect(inbound)
            let sessionID = UUID().uuidString.lowercased()
            try await outbound.write(.text(RelayMessage.connected(.init(sessionID: sessionID, instanceID: id, publicKey: instance.publicKey)).jsonText))
            var session = E2EESession(handshake: try .instance(sessionID: sessionID, instanceID: id, instanceStatic: instance))
            var requests = 0
            while let message = try await messages.next() {
                guard case .binary(let buffer) = message else { continue }
                switch try session.receive(Array(buffer.readableBytesView)) {
                case .handshakePayload:
                    let grant = HandshakeGrant(
                        deviceID: UUID().uuidString.lowercased(), deviceToken: nil, accessToken: "a", accessExpiresAt: Date(timeIntervalSince1970: 2e9),
                        mediaToken: "m", mediaExpiresAt: Date(timeIntervalSince1970: 2e9), instanceName: "Fake", directURLs: [],
                        certFingerprint: String(repeating: "0", count: 64), discoveryKey: nil)
                    try await outbound.write(.binary(ByteBuffer(bytes: try session.writeHandshake(payload: HandshakeResponse.success(grant).encoded()))))
                case .frame(let frame):
                    guard case .request(let request) = try TunnelMessage(decoding: frame.plaintext) else { continue }
                    requests += 1
                    if requests == 1 {
                        _ = try session.seal(channel: .api, plaintext: Array(#"{"t":"lost"}"#.utf8))  // withheld in transit
                    }
                    let response = TunnelMessage.response(TunnelResponse(id: request.id, status: 200, body: Array("ok".utf8)))
                    try await outbound.write(.binary(ByteBuffer(bytes: try session.seal(channel: .api, plaintext: response.encoded()))))
                case .dropped:
                    continue
                }
            }
        }
        defer { relay.stop() }
        let connection = try await RelayConnection.connect(origin: relay.origin, instanceID: instanceID, pinnedInstanceKey: instance.publicKey)
        let tunnel = try await TunnelSession.establish(
            relay: connection, clientKey: .generate(), request: .reconnect(deviceID: "d", deviceToken: "t", timestamp: 0))
        defer { Task { await tunnel.close() } }
        let error = await #expect(throws: TunnelSession.Error.framesWithheld) {
            _ = try await withTimeout(.seconds(5)) { try await tunnel.request(method: "GET", path: "/a") }
        }
        #expect(error?.isRetryable == true)
        // The gap did not close the session: the next request is answered.
        let next = try await withTimeout(.seconds(5)) { try await tunnel.request(method: "GET", path: "/b") }
        #expect(next.status == 200)
        #expect(try await next.body.collect() == Array("ok".utf8))
    }

    @Test func aPeerRekeyRequestMovesTheClientToTheNextKeyPhase() async throws {
        let instance = X25519KeyPair.generate()
        let relay = try await FakeRelay.start { inbound, outbound in
            var (id, messages) = try await FakeRelay.awaitConnect(inbound)
            let sessionID = UUID().uuidString.lowercased()
            try await outbound.write(.text(RelayMessage.connected(.init(sessionID: sessionID, instanceID: id, publicKey: instance.publicKey)).jsonText))
            var session = E2EESession(handshake: try .instance(sessionID: sessionID, instanceID: id, instanceStatic: instance))
            func send(_ message: TunnelMessage) async throws {
                try await outbound.write(.binary(ByteBuffer(bytes: try session.seal(channel: .api, plaintext: message.encoded()))))
            }
            while let message = try await messages.next() {
                guard case .binary(let buffer) = message else { continue }
                switch try session.receive(Array(buffer.readableBytesView)) {
                case .handshakePayload:
                    let grant = HandshakeGrant(
                        deviceID: "d", deviceToken: nil, accessToken: "a", accessExpiresAt: Date(timeIntervalSince1970: 2e9),
                        mediaToken: "m", mediaExpiresAt: Date(timeIntervalSince1970: 2e9), instanceName: "Fake", directURLs: [],
                        certFingerprint: String(repeating: "0", count: 64), discoveryKey: nil)
                    try await outbound.write(.binary(ByteBuffer(bytes: try session.writeHandshake(payload: HandshakeResponse.success(grant).encoded()))))
                case .frame(let frame):
                    guard case .request(let request) = try TunnelMessage(decoding: frame.plaintext) else { continue }
                    if request.path == "/first" { try await send(.rekey) }
                    // The status reports the key phase the request arrived in.
                    try await send(.response(TunnelResponse(id: request.id, status: 200 + Int(frame.keyPhase))))
                case .dropped:
                    continue
                }
            }
        }
        defer { relay.stop() }
        let connection = try await RelayConnection.connect(origin: relay.origin, instanceID: UUID().uuidString.lowercased(), pinnedInstanceKey: instance.publicKey)
        let tunnel = try await TunnelSession.establish(
            relay: connection, clientKey: .generate(), request: .reconnect(deviceID: "d", deviceToken: "t", timestamp: 0))
        defer { Task { await tunnel.close() } }
        #expect(try await withTimeout(.seconds(5)) { try await tunnel.request(method: "GET", path: "/first") }.status == 200)
        #expect(try await withTimeout(.seconds(5)) { try await tunnel.request(method: "GET", path: "/second") }.status == 201)
    }
}
