import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaWire
import Testing

/// The client side of PROTOCOL.md §2.2, §4 and §5, just enough to drive a real server in tests.
final class TunnelTestClient: @unchecked Sendable {  // used from one test task at a time
    let socket: TestSocket
    let clientKey: X25519KeyPair
    var session: E2EESession
    var nextID: UInt32 = 1
    var accessToken = ""

    enum Failure: Error { case refused(HandshakeFailure), unexpected(String) }

    /// Connects through the relay and completes the handshake with `request` (message 1).
    static func connect(
        stack: ServerStack, clientKey: X25519KeyPair = .generate(), request: HandshakeRequest
    ) async throws -> (TunnelTestClient, HandshakeResponse) {
        let socket = TestSocket(stack.clientURL)
        socket.send(.connect(instanceID: stack.instanceID))
        guard case .connected(let connected) = try await socket.nextMessage() else { throw Failure.unexpected("no connected") }
        #expect(ConstantTime.equals(connected.publicKey, stack.instanceKey) && connected.webrtcE2EE == 1)
        var session = E2EESession(handshake: try .client(
            sessionID: connected.sessionID, instanceID: stack.instanceID, clientStatic: clientKey, instanceStaticKey: connected.publicKey))
        socket.sendBinary(try session.writeHandshake(payload: request.encoded()))
        guard case .handshakePayload(let payload) = try session.receive(try await socket.nextBinary(timeout: .seconds(20))) else {
            throw Failure.unexpected("no message 2")
        }
        let response = try HandshakeResponse(decoding: payload)
        let client = TunnelTestClient(socket: socket, clientKey: clientKey, session: session)
        if case .success(let grant) = response { client.accessToken = grant.accessToken }
        return (client, response)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static func pairRequest(_ code: String) -> HandshakeRequest {
        .pair(claimCode: code, deviceName: "test laptop", platform: "linux", clientVersion: "0.1.0", timestamp: now())
    }

    private init(socket: TestSocket, clientKey: X25519KeyPair, session: E2EESession) {
        self.socket = socket
        self.clientKey = clientKey
        self.session = session
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    /// One request through the tunnel; streamed bodies are collected while granting credit.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = [],
                 bearer: Bool = true) async throws -> Reply {
        let id = nextID
        nextID += 1
        var h = headers
        if bearer { h["authorization"] = "Bearer \(accessToken)" }
        try send(.request(TunnelRequest(id: id, method: method, path: path, headers: h, body: body)))
        var head: TunnelResponse?
        var data: [UInt8] = []
        var unacknowledged = 0
        while true {
            guard case .frame(let frame) = try session.receive(try await socket.nextBinary(timeout: .seconds(30))) else { continue }
            if frame.channel == .api, case .response(let r) = try TunnelMessage(decoding: frame.plaintext), r.id == id {
                if !r.isStreamed { return Reply(status: r.status, headers: r.headers, body: r.body) }
                head = r
            } else if frame.channel == .media, let head {
                let media = try MediaFrame(decoding: frame.plaintext)
                guard media.streamID == id else { continue }
                if media.isAborted { throw Failure.unexpected("stream aborted: \(String(decoding: media.data, as: UTF8.self))") }
                data += media.data
                unacknowledged += media.data.count
                if unacknowledged >= 64 * 1024 {
                    try send(.credit(id: id, bytes: UInt64(unacknowledged)))
                    unacknowledged = 0
                }
                if media.isEnd { return Reply(status: head.status, headers: head.headers, body: data) }
            }
        }
    }

    func graphQL(_ query: String, variables: [String: Any] = [:]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let reply = try await request("POST", "/api/graphql", headers: ["content-type": "application/json"], body: Array(body))
        #expect(reply.status == 200, "\(reply.text)")
        return reply.json
    }

    func send(_ message: TunnelMessage) throws {
        socket.sendBinary(try session.seal(channel: .api, plaintext: message.encoded()))
    }
}
