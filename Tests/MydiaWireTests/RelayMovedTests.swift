import MydiaWire
import Testing

/// The `moved` error of a fleet node (PROTOCOL.md §15).
@Suite struct RelayMovedTests {
    @Test func movedCarriesTheNodeURLAndDecodesAsAnError() throws {
        let text = RelayMoved.jsonText(relayURL: "wss://a.relay.example:8443")
        #expect(RelayMoved.relayURL(in: text) == "wss://a.relay.example:8443")
        guard case .error(let code, _) = try RelayMessage.decode(text) else { Issue.record("not an error: \(text)"); return }
        #expect(code == .moved)
        #expect(text.contains(#""type":"error""#) && text.contains(#""code":"moved""#))
    }

    @Test func onlyAMovedErrorYieldsAURL() {
        #expect(RelayMoved.relayURL(in: #"{"type":"error","code":"instance_offline","relay_url":"wss://x.example"}"#) == nil)
        #expect(RelayMoved.relayURL(in: #"{"type":"error","code":"moved","relay_url":7}"#) == nil)
        #expect(RelayMoved.relayURL(in: "not json") == nil)
    }
}
