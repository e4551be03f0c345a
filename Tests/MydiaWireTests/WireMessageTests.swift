import Foundation
import MydiaWire
import Testing

/// The JSON and binary shapes of PROTOCOL.md §3.2, §3.3, §4.3, §5.1, §5.2, with the spec's own
/// example plaintexts (from the transport vectors) where it has them.
@Suite struct WireMessageTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func handshakeRequestsRoundTripAndRejectBadInput() throws {
        let pair = HandshakeRequest.pair(claimCode: "123456", deviceName: "laptop", platform: "linux", clientVersion: "0.1.0", timestamp: 1_900_000_000)
        #expect(try HandshakeRequest(decoding: pair.encoded()) == pair)
        let reconnect = HandshakeRequest.reconnect(deviceID: "5d3c2b1a-0f9e-4d8c-b7a6-958473625140", deviceToken: "t", timestamp: 5)
        #expect(try HandshakeRequest(decoding: reconnect.encoded()) == reconnect)
        #expect(String(decoding: reconnect.encoded(), as: UTF8.self).contains(#""type":"reconnect""#))
        // Unknown fields are ignored (§12.1).
        #expect(try HandshakeRequest(decoding: bytes(#"{"type":"reconnect","device_id":"d","device_token":"t","ts":1,"extra":[1]}"#))
            == .reconnect(deviceID: "d", deviceToken: "t", timestamp: 1))
        #expect(throws: HandshakeRequest.DecodingError.notJSON) { try HandshakeRequest(decoding: bytes("{nope")) }
        #expect(throws: HandshakeRequest.DecodingError.unknownType) { try HandshakeRequest(decoding: bytes(#"{"type":"hello","ts":1}"#)) }
        #expect(throws: HandshakeRequest.DecodingError.missingField("ts")) {
            try HandshakeRequest(decoding: bytes(#"{"type":"reconnect","device_id":"d","device_token":"t"}"#))
        }
        #expect(throws: HandshakeRequest.DecodingError.missingField("claim_code")) {
            try HandshakeRequest(decoding: bytes(#"{"type":"pair","device_name":"x","ts":1}"#))
        }
    }

    @Test func handshakeResponsesCarryGrantsAndFailures() throws {
        let grant = HandshakeGrant(
            deviceID: "d", deviceToken: "d.secret", accessToken: "a", accessExpiresAt: Date(timeIntervalSince1970: 1_893_456_000),
            mediaToken: "m", mediaExpiresAt: Date(timeIntervalSince1970: 1_893_456_000), instanceName: "Wohnzimmer",
            directURLs: ["https://127.0.0.1:8443"], certFingerprint: String(repeating: "ab", count: 32), discoveryKey: "AAAA")
        #expect(try HandshakeResponse(decoding: HandshakeResponse.success(grant).encoded()) == .success(grant))
        for failure in HandshakeFailure.allCases {
            #expect(try HandshakeResponse(decoding: HandshakeResponse.failure(failure).encoded()) == .failure(failure))
            #expect(!failure.description.isEmpty)
        }
        #expect(try HandshakeResponse(decoding: bytes(#"{"ok":false,"error":"new_thing"}"#)) == .failure(.authFailed))
        // The spec's own message-2 example (transport vectors), with control characters stripped.
        let example = #"{"ok":true,"device_id":"5d3c","access_token":"a","access_expires_at":"2030-01-01T00:00:00Z","media_token":"m","media_expires_at":"2030-01-01T00:00:00.250Z","instance_name":"Home\u001b[2J","direct_urls":[],"cert_fingerprint":"ff"}"#
        guard case .success(let g) = try HandshakeResponse(decoding: bytes(example)) else { Issue.record("not success"); return }
        #expect(g.instanceName == "Home[2J" && g.deviceToken == nil && g.discoveryKey == nil)
        #expect(throws: HandshakeResponse.DecodingError.missingField("access_expires_at")) {
            try HandshakeResponse(decoding: bytes(#"{"ok":true,"device_id":"d"}"#))
        }
    }

    @Test func tunnelMessagesMatchTheSpecExamples() throws {
        let req = #"{"t":"req","id":1,"method":"POST","path":"/api/graphql","headers":{"authorization":"Bearer test","content-type":"application/json"},"body":"{\"query\": \"{ movies(first: 3) { totalCount } }\"}","enc":"utf8"}"#
        guard case .request(let r) = try TunnelMessage(decoding: bytes(req)) else { Issue.record("not a request"); return }
        #expect(r.id == 1 && r.method == "POST" && r.path == "/api/graphql" && r.headers["authorization"] == "Bearer test")
        #expect(String(decoding: r.body, as: UTF8.self) == #"{"query": "{ movies(first: 3) { totalCount } }"}"#)

        let res = #"{"t":"res","id":1,"status":200,"headers":{"content-type":"application/json"},"body":"{\"data\":{\"movie\":{\"title\":\"Amélie Étude\",\"alt\":\"東京の夜明け\"}}}","enc":"utf8"}"#
        guard case .response(let inline) = try TunnelMessage(decoding: bytes(res)) else { Issue.record("not a response"); return }
        #expect(!inline.isStreamed && String(decoding: inline.body, as: UTF8.self).contains("東京の夜明け"))

        let head = #"{"t":"res","id":2,"status":206,"headers":{"content-type":"video/mp2t","content-range":"bytes 0-31/85352","content-length":"32"},"stream":true}"#
        guard case .response(let streamed) = try TunnelMessage(decoding: bytes(head)) else { Issue.record("not a response"); return }
        #expect(streamed.isStreamed && streamed.status == 206 && streamed.headers["content-range"] == "bytes 0-31/85352")

        #expect(try TunnelMessage(decoding: bytes(#"{"t":"ping","n":7}"#)) == .ping(n: 7))
        #expect(try TunnelMessage(decoding: bytes(#"{"t":"credit","id":2,"bytes":65536}"#)) == .credit(id: 2, bytes: 65_536))
        #expect(try TunnelMessage(decoding: bytes(#"{"t":"cancel","id":2}"#)) == .cancel(id: 2))
        #expect(try TunnelMessage(decoding: bytes(#"{"t":"rekey"}"#)) == .rekey)
        #expect(try TunnelMessage(decoding: bytes(#"{"t":"future","x":1}"#)) == .unknown("future"))
    }

    @Test func tunnelMessagesRoundTripIncludingBinaryBodies() throws {
        let messages: [TunnelMessage] = [
            .request(TunnelRequest(id: 9, method: "GET", path: "/api/v1/hls/s/index.m3u8?x=1", headers: ["range": "bytes=0-"])),
            .request(TunnelRequest(id: 10, method: "POST", path: "/api/graphql", body: Array("{}".utf8))),
            .response(TunnelResponse(id: 9, status: 200, headers: ["etag": "\"x\""], body: [0xff, 0x00, 0x80])),
            .response(TunnelResponse(id: 9, status: 206, streamed: true)),
            .cancel(id: 3), .ping(n: 1), .pong(n: 1), .credit(id: 4, bytes: 1 << 20), .rekey,
        ]
        for m in messages { #expect(try TunnelMessage(decoding: m.encoded()) == m) }
        let binary = TunnelMessage.response(TunnelResponse(id: 1, status: 200, body: [0xff, 0xfe]))
        #expect(String(decoding: binary.encoded(), as: UTF8.self).contains(#""enc":"base64""#))
    }

    @Test func tunnelHeadersAreLowercasedAndRepeatsJoined() throws {
        let text = #"{"t":"req","id":1,"method":"GET","path":"/","headers":{"Range":"bytes=0-1","X-A":"1","x-a":"2"}}"#
        guard case .request(let r) = try TunnelMessage(decoding: bytes(text)) else { Issue.record("not a request"); return }
        #expect(r.headers["range"] == "bytes=0-1" && r.body.isEmpty)
        #expect(r.headers["x-a"] == "1, 2" || r.headers["x-a"] == "2, 1")
    }

    @Test func malformedTunnelMessagesGiveErrors() {
        #expect(throws: TunnelMessage.DecodingError.notJSON) { try TunnelMessage(decoding: [0xff, 0x00]) }
        #expect(throws: TunnelMessage.DecodingError.notJSON) { try TunnelMessage(decoding: bytes(#"{"id":1}"#)) }
        #expect(throws: TunnelMessage.DecodingError.missingField("path")) { try TunnelMessage(decoding: bytes(#"{"t":"req","id":1,"method":"GET"}"#)) }
        #expect(throws: TunnelMessage.DecodingError.badBodyEncoding) {
            try TunnelMessage(decoding: bytes(#"{"t":"res","id":1,"status":200,"body":"%%%","enc":"base64"}"#))
        }
        #expect(throws: TunnelMessage.DecodingError.badBodyEncoding) {
            try TunnelMessage(decoding: bytes(#"{"t":"res","id":1,"status":200,"body":"x","enc":"rot13"}"#))
        }
    }

    @Test func mediaFramesEncodeTheStreamIDBigEndian() throws {
        let f = MediaFrame(streamID: 0x0102_0304, flags: .end, data: [9, 8])
        #expect(f.encoded() == [1, 2, 3, 4, 1, 9, 8])
        #expect(try MediaFrame(decoding: f.encoded()) == f)
        let aborted = MediaFrame.aborted(7, reason: "file gone")
        #expect(try MediaFrame(decoding: aborted.encoded()).isAborted)
        #expect(String(decoding: try MediaFrame(decoding: aborted.encoded()).data, as: UTF8.self) == "file gone")
        #expect(throws: MediaFrame.DecodingError.tooShort) { try MediaFrame(decoding: [0, 0, 0, 1]) }
        #expect(throws: MediaFrame.DecodingError.unknownFlags(0x04)) { try MediaFrame(decoding: [0, 0, 0, 1, 0x04]) }
        #expect(try MediaFrame(decoding: [0, 0, 0, 2, 0x01]).data.isEmpty)  // end of stream without data
    }

    @Test func claimPayloadFromTheSealedClaimVector() throws {
        let vector = #"{"v":1,"instance_id":"3c9d8e7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f","instance_name":"Shared Wohnzimmer","public_key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","expires_at":"2030-01-01T00:05:00Z"}"#
        let before = Date(timeIntervalSince1970: 1_893_456_000)
        let claim = try ClaimPayload(decoding: bytes(vector), now: before)
        #expect(claim.instanceID == "3c9d8e7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f" && claim.instanceName == "Shared Wohnzimmer")
        #expect(claim.publicKey == Array(0..<32))
        #expect(try ClaimPayload(decoding: claim.encoded(), now: before) == claim)
        #expect(throws: ClaimPayload.Error.expired) { try ClaimPayload(decoding: bytes(vector), now: before.addingTimeInterval(301)) }
        #expect(throws: ClaimPayload.Error.unsupportedVersion(2)) {
            try ClaimPayload(decoding: bytes(vector.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)), now: before)
        }
        #expect(throws: ClaimPayload.Error.badPublicKey) {
            try ClaimPayload(decoding: bytes(vector.replacingOccurrences(of: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", with: "AAEC")), now: before)
        }
        #expect(throws: ClaimPayload.Error.malformed) { try ClaimPayload(decoding: bytes("[]"), now: before) }
    }

    @Test func qrPayloadRoundTrips() throws {
        let qr = PairingQRPayload(relay: "https://relay.example", instanceID: "i", publicKey: Array(repeating: 1, count: 32),
                                  claimCode: "123456", directURLs: ["https://10.0.0.2:8443"], certFingerprint: "ab")
        #expect(PairingQRPayload(json: qr.encoded()) == qr)
        #expect(PairingQRPayload(json: #"{"v":2}"#) == nil)
        #expect(PairingQRPayload(json: "not json") == nil)
    }

    @Test func relayOriginsDeriveEndpointsAndRefusePlaintextOffLoopback() throws {
        let tls = try RelayOrigin("https://relay.example.org")
        #expect(tls.clientWebSocketURL == "wss://relay.example.org/relay/client/websocket")
        #expect(tls.claimURL(lookupHex: "ab") == "https://relay.example.org/pairing/v2/claim/ab")
        #expect(try RelayOrigin("wss://relay.example.org:8443/").httpOrigin == "https://relay.example.org:8443")
        let local = try RelayOrigin("http://127.0.0.1:4000")
        #expect(local.instanceWebSocketURL == "ws://127.0.0.1:4000/relay/tunnel/websocket")
        #expect(try RelayOrigin("ws://[::1]:9").clientWebSocketURL == "ws://[::1]:9/relay/client/websocket")
        #expect(throws: RelayOrigin.Error.plaintextOffLoopback("http://relay.example.org")) { try RelayOrigin("http://relay.example.org") }
        #expect(throws: RelayOrigin.Error.plaintextOffLoopback("http://localhost:1")) { try RelayOrigin("http://localhost:1") }
        #expect(throws: RelayOrigin.Error.plaintextOffLoopback("ws://10.0.0.1")) { try RelayOrigin("ws://10.0.0.1") }
        #expect(throws: RelayOrigin.Error.invalid("ftp://x")) { try RelayOrigin("ftp://x") }
        #expect(throws: RelayOrigin.Error.invalid("https://x/path")) { try RelayOrigin("https://x/path") }
        #expect(RelayOrigin.isLoopback("127.8.9.1") && !RelayOrigin.isLoopback("128.0.0.1") && !RelayOrigin.isLoopback("127.0.0"))
    }
}
