import Foundation
import MydiaWire
import Testing

@Suite struct RelayMessageTests {
    static let key = [UInt8](repeating: 0xfb, count: 32)
    static let session = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

    @Test func everyMessageRoundTripsThroughJSON() throws {
        let messages: [RelayMessage] = [
            .challenge(nonce: [UInt8](repeating: 1, count: 32), relayKey: Self.key),
            .register(.init(instanceID: Self.session, publicKey: Self.key, proof: [UInt8](repeating: 2, count: 32))),
            .registered(relayProtocol: 1),
            .error(code: .instanceOffline, message: "offline"),
            .connection(sessionID: Self.session),
            .connect(instanceID: Self.session),
            .connected(.init(sessionID: Self.session, instanceID: Self.session, publicKey: Self.key)),
            .close(sessionID: Self.session, reason: .slowConsumer),
            .close(sessionID: nil, reason: .instanceDisconnected),
            .ping, .pong,
        ]
        for message in messages {
            #expect(try RelayMessage.decode(message.jsonText) == message)
        }
    }

    @Test func wireShapesMatchTheSpec() throws {
        let connected = RelayMessage.connected(.init(sessionID: Self.session, instanceID: Self.session, publicKey: Self.key)).jsonText
        let object = try JSONSerialization.jsonObject(with: Data(connected.utf8)) as! [String: Any]
        #expect(object["type"] as? String == "connected")
        #expect(object["webrtc_e2ee"] as? Int == 1 && object["relay_protocol"] as? Int == 1)
        #expect(object["public_key"] as? String == Data(Self.key).base64EncodedString())
        let register = RelayMessage.register(.init(instanceID: Self.session, publicKey: Self.key, proof: Self.key)).jsonText
        let r = try JSONSerialization.jsonObject(with: Data(register.utf8)) as! [String: Any]
        #expect(r["relay_protocol"] as? [Int] == [1])
        #expect(RelayMessage.ping.jsonText == #"{"type":"ping"}"#)
        #expect(RelayMessage.close(sessionID: nil, reason: .idleTimeout).jsonText == #"{"reason":"idle_timeout","type":"close"}"#)
    }

    @Test func unknownTypesAndFieldsAreIgnored() throws {
        #expect(try RelayMessage.decode(#"{"type":"teleport","x":[1,{"y":null}]}"#) == .unknown(type: "teleport"))
        #expect(try RelayMessage.decode(#"{"type":"ping","extra":true,"nonce":5}"#) == .ping)
        #expect(try RelayMessage.decode(#"{"type":"error","code":"brand_new","message":"m","detail":{}}"#)
            == .error(code: RelayErrorCode(rawValue: "brand_new"), message: "m"))
    }

    @Test func malformedKnownMessagesAreErrors() {
        #expect(throws: RelayMessage.DecodingError.notAMessage) { try RelayMessage.decode("nope") }
        #expect(throws: RelayMessage.DecodingError.notAMessage) { try RelayMessage.decode("[]") }
        #expect(throws: RelayMessage.DecodingError.notAMessage) { try RelayMessage.decode(#"{"type":7}"#) }
        #expect(throws: RelayMessage.DecodingError.malformed(type: "connect", field: "instance_id")) {
            try RelayMessage.decode(#"{"type":"connect","instance_id":12}"#)
        }
        #expect(throws: RelayMessage.DecodingError.malformed(type: "challenge", field: "nonce")) {
            try RelayMessage.decode(#"{"type":"challenge","nonce":"***","relay_key":"AAAA"}"#)
        }
        #expect(throws: RelayMessage.DecodingError.malformed(type: "register", field: "relay_protocol")) {
            try RelayMessage.decode(#"{"type":"register","instance_id":"a","public_key":"AAAA","proof":"AAAA"}"#)
        }
    }

    @Test func sessionPrefixEncodesAndDecodes() {
        let framed = RelaySessionFrame.encode(sessionID: Self.session, payload: [1, 2, 3])
        #expect(framed.count == 39 && Array(framed.prefix(36)) == Array(Self.session.utf8))
        let decoded = RelaySessionFrame.decode(framed)
        #expect(decoded?.sessionID == Self.session && decoded.map { Array($0.payload) } == [1, 2, 3])
        #expect(RelaySessionFrame.decode(Array(framed.prefix(35))) == nil)
        #expect(RelaySessionFrame.decode(Array(Self.session.uppercased().utf8) + [1]) == nil)
        #expect(RelaySessionFrame.decode(Array(Self.session.utf8))?.payload.isEmpty == true)
        #expect(!RelaySessionID.isValid("0f8e7d6c05b4a-4392-8170-6f5e4d3c2b1a"))
    }

    @Test func claimBodiesUseTheSpecKeys() throws {
        let body = ClaimPublishRequest(lookupKey: String(repeating: "a", count: 64), sealed: "s", owner: ClaimKeys.owner(forDeleteSecret: "d"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as! [String: String]
        #expect(Set(json.keys) == ["lookup_key", "sealed", "owner"])
        // owner = hex(SHA-256("d")).
        #expect(json["owner"] == "18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4")
        let delete = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ClaimDeleteRequest(deleteSecret: "d"))) as! [String: String]
        #expect(delete == ["delete_secret": "d"])
        #expect(ClaimKeys.isValidLookupKey(String(repeating: "0", count: 64)))
        #expect(!ClaimKeys.isValidLookupKey(String(repeating: "A", count: 64)))
        #expect(!ClaimKeys.isValidLookupKey(String(repeating: "0", count: 63)))
    }
}

/// A relay's close reason and error code reach the terminal only sanitised (§12.18): a hostile
/// relay cannot clear the screen or retitle the window through them.
@Suite struct RelayCodeDisplayTests {
    @Test func closeReasonsAndErrorCodesAreShownWithoutControlCharacters() {
        let hostile = "\u{1b}]0;owned\u{07}\u{1b}[2J" + String(repeating: "x", count: 100)
        let reason = RelayCloseReason(rawValue: hostile).description
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) })
        #expect(reason.count == DisplayText.maxNameLength)
        let code = RelayErrorCode(rawValue: hostile).description
        #expect(!code.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) })
        #expect(RelayCloseReason.idleTimeout.description == "idle_timeout")
    }
}
