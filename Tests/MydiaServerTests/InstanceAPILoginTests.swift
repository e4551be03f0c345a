import Foundation
import MydiaLibrary
import MydiaServer
import MydiaStreaming
import Testing

/// The instance API with URL login (PROTOCOL.md §14.2.3, §14.3) and with the player switched off
/// (§14.2.4), called the way both listeners call it.
@Suite struct InstanceAPILoginTests {
    static let disabledBody = #"{"errors":[{"message":"The player API is disabled on this server","extensions":{"code":"PLAYER_DISABLED"}}]}"#

    @Test func everyAPIRouteAnswersPlayerDisabledWhenThePlayerIsOff() async throws {
        let f = try APIFixture(playerEnabled: false)
        let requests = [
            APIRequest(method: "GET", target: "/api/v1/remote/probe"),
            APIRequest(method: "POST", target: "/api/graphql", body: Array(#"{"query":"{ serverCompatibility { version } }"}"#.utf8)),
            APIRequest(method: "GET", target: "/api/v1/hls/abc/index.m3u8"),
            APIRequest(method: "GET", target: "/api/v1/stream/file/abc?strategy=DIRECT_PLAY"),
            APIRequest(method: "GET", target: "/api/player/v1/subtitles/file/a/b?format=vtt"),
            APIRequest(method: "DELETE", target: "/api/nothing-here"),
        ]
        for request in requests {
            let response = await f.api.handle(request)
            #expect(response.status == 404, "\(request.target)")
            #expect(response.headers["content-type"] == "application/json")
            #expect(Self.text(response) == Self.disabledBody, "\(request.target)")
        }
        // Outside /api nothing changes.
        let other = await f.api.handle(APIRequest(method: "GET", target: "/index.html"))
        #expect(other.status == 404 && Self.text(other) != Self.disabledBody)
    }

    @Test func aLoginTokenIsABearerForProbeAndGraphQLUntilItsDeviceIsRevoked() async throws {
        let f = try APIFixture(playerEnabled: true)
        var password = Array("pw".utf8)
        _ = try await f.users.add(username: "alice", password: &password, withTOTP: false)
        let outcome = await f.authority.login(username: "alice", password: "pw", deviceID: UUID().uuidString,
                                              deviceName: "laptop", platform: "linux", clientAddress: "127.0.0.1")
        guard case .success(let grant) = outcome else { Issue.record("login failed: \(outcome)"); return }
        let bearer = ["authorization": "Bearer \(grant.token)"]
        let probe = await f.api.handle(APIRequest(method: "GET", target: "/api/v1/remote/probe", headers: bearer))
        #expect(probe.status == 200)
        let devices = await f.api.handle(APIRequest(method: "POST", target: "/api/graphql", headers: bearer,
                                                    body: Array(#"{"query":"{ devices { id } }"}"#.utf8)))
        #expect(devices.status == 200)
        #expect(Self.text(devices).contains(grant.deviceID))

        #expect(try await f.devices.revokeDevice(id: grant.deviceID))
        let refused = await f.api.handle(APIRequest(method: "GET", target: "/api/v1/remote/probe", headers: bearer))
        #expect(refused.status == 401)
        let media = await f.api.handle(APIRequest(method: "GET", target: "/api/v1/stream/file/x", headers: bearer))
        #expect(media.status == 401)
    }

    static func text(_ response: APIResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An instance API over an empty library and a fresh state directory.
final class APIFixture: Sendable {
    let state: URL
    let devices: DeviceStore
    let users: UserStore
    let authority: LoginAuthority
    let api: InstanceAPI

    init(playerEnabled: Bool) throws {
        state = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-api-login-\(UUID().uuidString)")
        let libraryRoot = state.appendingPathComponent("library")
        try FileManager.default.createDirectory(at: libraryRoot, withIntermediateDirectories: true)
        let database = try LibraryDatabase(stateDirectory: state.appendingPathComponent("state"))
        let library = MediaLibrary(root: libraryRoot, database: database)
        devices = DeviceStore(database: database)
        users = UserStore(database: database)
        authority = LoginAuthority(users: users, devices: devices)
        let graphQL = try GraphQLService(library: library, devices: devices, streaming: nil, version: "1.0.0", minPlayerVersion: "1.0.0")
        let tools = try FFmpegTools.locate()
        let hls = HLSSessionManager(configuration: .init(root: state.appendingPathComponent("hls")), tools: tools)
        let subtitles = SubtitleConverter(configuration: .init(cacheDirectory: state.appendingPathComponent("cache")), tools: tools)
        api = InstanceAPI(instanceID: "inst", instanceName: "Test", library: library, devices: devices, graphQL: graphQL,
                          hls: hls, subtitles: subtitles, playerEnabled: playerEnabled)
    }

    deinit { try? FileManager.default.removeItem(at: state) }
}
