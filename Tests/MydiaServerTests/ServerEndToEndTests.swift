import Foundation
import MydiaCrypto
import MydiaLibrary
@testable import MydiaServer
import MydiaTestSupport
import MydiaWire
import Testing

/// The whole server over real sockets: a real relay, the server with its sample library, and a
/// client that pairs with a 6-digit code, then uses GraphQL and HLS through the encrypted tunnel.
@Suite(.serialized) struct ServerEndToEndTests {
    @Test func pairsWithACodeAndServesTheLibraryThroughTheTunnel() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let claim = try await stack.host.issueClaim()
        let sealed = try await stack.fetchClaim(claim.code.value)
        #expect(sealed.instanceID == stack.instanceID && sealed.publicKey == stack.instanceKey && sealed.instanceName == "Test Wohnzimmer")

        let (client, response) = try await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest("\(claim.code)"))
        guard case .success(let grant) = response else { Issue.record("pairing refused: \(response)"); return }
        #expect(grant.deviceToken?.hasPrefix(grant.deviceID + ".") == true)
        #expect(grant.certFingerprint == stack.host.identity.fingerprint.hex)
        #expect(grant.directURLs.count == 1 && grant.directURLs[0].hasPrefix("https://127.0.0.1:"))
        #expect(grant.instanceName == "Test Wohnzimmer" && grant.discoveryKey.flatMap { Encoding.fromBase64($0) }?.count == 32)

        let probe = try await client.request("GET", "/api/v1/remote/probe")
        #expect(probe.status == 200 && probe.json["instance_id"] as? String == stack.instanceID)
        let unauthorized = try await client.request("GET", "/api/v1/remote/probe", bearer: false)
        #expect(unauthorized.status == 401)

        let movies = try await client.graphQL("{ movies(first: 10) { totalCount edges { node { id title files { id } } } } }")
        let connection = (movies["data"] as? [String: Any])?["movies"] as? [String: Any]
        #expect(connection?["totalCount"] as? Int == 3)
        let titles = ((connection?["edges"] as? [[String: Any]]) ?? []).compactMap { ($0["node"] as? [String: Any])?["title"] as? String }
        #expect(titles.contains("東京物語") && titles.contains("Amélie à Paris"))

        // HLS through the tunnel: start a session, fetch the playlist and its first segment.
        let node = try #require(((connection?["edges"] as? [[String: Any]])?.first?["node"]) as? [String: Any])
        let fileID = try #require(((node["files"] as? [[String: Any]])?.first?["id"]) as? String)
        let started = try await client.graphQL(
            "mutation($f: ID!) { startStreamingSession(fileId: $f, strategy: HLS_COPY) { sessionId duration } }", variables: ["f": fileID])
        let sessionID = try #require(((started["data"] as? [String: Any])?["startStreamingSession"] as? [String: Any])?["sessionId"] as? String)
        let playlist = try await client.request("GET", "/api/v1/hls/\(sessionID)/index.m3u8")
        #expect(playlist.status == 200 && playlist.text.contains("#EXT-X-ENDLIST"))
        let segment = try #require(playlist.text.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty })
        let media = try await client.request("GET", "/api/v1/hls/\(sessionID)/\(segment)")
        #expect(media.status == 200 && media.body.count > 1000 && media.body.count == Int(media.headers["content-length"] ?? "") )
        let ranged = try await client.request("GET", "/api/v1/hls/\(sessionID)/\(segment)", headers: ["range": "bytes=100-199"])
        #expect(ranged.status == 206 && ranged.body == Array(media.body[100..<200]))
        // The media token works as ?token= without a bearer.
        let viaToken = try await client.request("GET", "/api/v1/hls/\(sessionID)/index.m3u8?token=\(grant.mediaToken)", bearer: false)
        #expect(viaToken.status == 200)
        let deleted = try await client.request("DELETE", "/api/v1/hls/\(sessionID)")
        #expect(deleted.status == 204)
    }

    @Test func claimsAreSingleUseAndWrongCodesAreRefused() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let claim = try await stack.host.issueClaim()
        let (_, first) = try await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest(claim.code.value))
        guard case .success = first else { Issue.record("first pairing refused"); return }
        // Someone who knows the instance key (e.g. from the QR code) tries the same code again.
        let (_, second) = try await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest(claim.code.value))
        #expect(second == .failure(.claimUsed))
        let (_, wrong) = try await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest("999999"))
        #expect(wrong == .failure(.claimInvalid))
        // The used claim was withdrawn from the relay.
        await #expect(throws: (any Error).self) { try await stack.fetchClaim(claim.code.value) }
    }

    @Test func reconnectNeedsTheDevicesKeyAndTokenAndRevocationClosesAtOnce() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        let claim = try await stack.host.issueClaim()
        let key = X25519KeyPair.generate()
        let (_, paired) = try await TunnelTestClient.connect(stack: stack, clientKey: key, request: TunnelTestClient.pairRequest(claim.code.value))
        guard case .success(let grant) = paired, let token = grant.deviceToken else { Issue.record("pairing refused"); return }
        let reconnect = HandshakeRequest.reconnect(deviceID: grant.deviceID, deviceToken: token, timestamp: TunnelTestClient.now())

        let (client, again) = try await TunnelTestClient.connect(stack: stack, clientKey: key, request: reconnect)
        guard case .success(let second) = again else { Issue.record("reconnect refused: \(again)"); return }
        #expect(second.deviceToken == nil && second.deviceID == grant.deviceID)
        #expect(try await client.request("GET", "/api/v1/remote/probe").status == 200)

        let (_, stolenToken) = try await TunnelTestClient.connect(stack: stack, clientKey: .generate(), request: reconnect)
        #expect(stolenToken == .failure(.authFailed))
        let badToken = HandshakeRequest.reconnect(deviceID: grant.deviceID, deviceToken: grant.deviceID + ".AAAA", timestamp: TunnelTestClient.now())
        let (_, wrongToken) = try await TunnelTestClient.connect(stack: stack, clientKey: key, request: badToken)
        #expect(wrongToken == .failure(.authFailed))
        let stale = HandshakeRequest.reconnect(deviceID: grant.deviceID, deviceToken: token, timestamp: TunnelTestClient.now() - 600)
        let (_, tooOld) = try await TunnelTestClient.connect(stack: stack, clientKey: key, request: stale)
        #expect(tooOld == .failure(.authFailed))

        // Revoking closes the live tunnel at once, and the device cannot come back.
        #expect(try await stack.host.devices.revokeDevice(id: grant.deviceID))
        await stack.host.link.closeSessions(deviceID: grant.deviceID)
        var closed = false
        for _ in 0..<10 {
            if case .text(let t) = await client.socket.next(timeout: .seconds(5)), case .close = try RelayMessage.decode(t) { closed = true; break }
        }
        #expect(closed)
        let (_, revoked) = try await TunnelTestClient.connect(stack: stack, clientKey: key, request: reconnect)
        #expect(revoked == .failure(.deviceRevoked))
    }

    @Test func approvalHoldsThePairingUntilTheOperatorAnswers() async throws {
        let stack = try await ServerStack.start(approvePairing: true)
        defer { Task { await stack.stop() } }
        let claim = try await stack.host.issueClaim()
        let pairing = Task { try await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest(claim.code.value)) }
        var waiting: [PairingRequest] = []
        for _ in 0..<100 where waiting.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            waiting = stack.host.approvals.waiting
        }
        let request = try #require(waiting.first)
        #expect(request.deviceName == "test laptop" && request.pairingCheck.count == 6)
        #expect(stack.host.approvals.answer(check: request.pairingCheck, approved: true))
        let (client, response) = try await pairing.value
        guard case .success = response else { Issue.record("approved pairing refused: \(response)"); return }
        // Both sides computed the same pairing check from the handshake hash.
        #expect(client.session.pairingCheck == request.pairingCheck)
    }

    @Test func theServerRegistersAgainAfterTheRelayRestarts() async throws {
        let stack = try await ServerStack.start()
        defer { Task { await stack.stop() } }
        try await stack.restartRelay()
        // The link notices the dropped socket, backs off 1 s and registers with the new relay; until
        // then a client hears instance_not_found from the new relay.
        var paired = false
        let deadline = ContinuousClock.now + .seconds(15)
        while !paired, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            guard let claim = try? await stack.host.issueClaim(),
                  let (_, response) = try? await TunnelTestClient.connect(stack: stack, request: TunnelTestClient.pairRequest(claim.code.value))
            else { continue }
            if case .success = response { paired = true }
        }
        #expect(paired)
    }
}
