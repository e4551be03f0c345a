import Foundation
import Logging
public import MydiaLibrary
public import MydiaStreaming
import MydiaWire

/// The instance HTTP API of PROTOCOL.md §7, the same on the relay tunnel and the direct listener:
/// probe, GraphQL, HLS and direct-play files, with §11.14 / §12.14 authentication.
public struct InstanceAPI: APIHandler {
    public let instanceID: String
    public let instanceName: String
    let library: MediaLibrary
    let devices: DeviceStore
    let graphQL: GraphQLService
    let hls: HLSSessionManager
    let subtitles: SubtitleConverter
    /// Posters (`nil`: the artwork route answers 404).
    let artwork: ArtworkStore?
    /// `false` under `--no-player`: every `/api` route answers ``playerDisabled`` (PROTOCOL.md §14.2.4).
    let playerEnabled: Bool
    /// Largest request body accepted (GraphQL documents are small).
    static let maxBody = 1 << 20

    public init(instanceID: String, instanceName: String, library: MediaLibrary, devices: DeviceStore,
                graphQL: GraphQLService, hls: HLSSessionManager, subtitles: SubtitleConverter, playerEnabled: Bool = true,
                artwork: ArtworkStore? = nil) {
        self.artwork = artwork
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.library = library
        self.devices = devices
        self.graphQL = graphQL
        self.hls = hls
        self.subtitles = subtitles
        self.playerEnabled = playerEnabled
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        guard request.body.count <= Self.maxBody else { return .error(status: 413, error: "too_large", message: "The request body is too large.") }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        if !playerEnabled, parts.first == "api" { return Self.playerDisabled }
        switch (request.method, parts.first == "api" ? Array(parts.dropFirst()) : []) {
        case ("GET", ["v1", "remote", "probe"]):
            return await probe(request)
        case ("POST", ["graphql"]):
            let profile = request.headers["x-mydia-device-profile"].flatMap(DeviceProfile.decodeHeader)
            let result = await graphQL.execute(body: Data(request.body), bearer: request.bearerToken, tunnelDeviceID: request.tunnelDeviceID,
                                               deviceProfile: profile, clientAddress: request.clientAddress)
            return APIResponse(status: result.status, headers: ["content-type": "application/json", "cache-control": "no-store"],
                               body: .bytes(Array(result.body)))
        case ("GET", let p) where p.count >= 4 && p[0] == "v1" && p[1] == "hls",
             ("HEAD", let p) where p.count >= 4 && p[0] == "v1" && p[1] == "hls":
            if let refusal = await authorizeMedia(request) { return refusal }
            let method: StreamingMethod = request.method == "HEAD" ? .head : .get
            return await hls.response(sessionId: p[2], path: p[3...].joined(separator: "/"), method: method, headers: request.headers)
        case ("DELETE", let p) where p.count == 3 && p[0] == "v1" && p[1] == "hls":
            if let refusal = await authorizeMedia(request) { return refusal }
            return await hls.end(sessionId: p[2]) ? APIResponse(status: 204) : .error(status: 404, error: "not_found", message: "No such streaming session.")
        case ("GET", let p) where p.count == 4 && p[0] == "v1" && p[1] == "stream" && p[2] == "file",
             ("HEAD", let p) where p.count == 4 && p[0] == "v1" && p[1] == "stream" && p[2] == "file":
            return await directPlay(request, fileID: p[3])
        case ("GET", let p) where p.count == 6 && p[0...3] == ["player", "v1", "subtitles", "file"],
             ("HEAD", let p) where p.count == 6 && p[0...3] == ["player", "v1", "subtitles", "file"]:
            return await subtitle(request, fileID: p[4], trackID: p[5])
        case ("GET", let p) where p.count == 5 && p[0] == "v1" && p[1] == "artwork" && p[4] == "poster",
             ("HEAD", let p) where p.count == 5 && p[0] == "v1" && p[1] == "artwork" && p[4] == "poster":
            return await poster(request, kind: p[2], id: p[3])
        default:
            return .error(status: 404, error: "not_found", message: "No such endpoint.")
        }
    }

    /// `GET /api/v1/remote/probe` with a bearer access token (§6, §7, §11.9).
    private func probe(_ request: APIRequest) async -> APIResponse {
        guard let bearer = request.bearerToken, let device = try? await devices.validate(bearer, kind: .access),
              request.tunnelDeviceID == nil || request.tunnelDeviceID == device.id
        else { return Self.unauthorized }
        let json = try! JSONSerialization.data(withJSONObject: [
            "instance_id": instanceID, "instance_name": instanceName, "time": WireTime.format(Date()),
        ], options: [.sortedKeys])
        return APIResponse(status: 200, headers: ["content-type": "application/json", "cache-control": "no-store"], body: .bytes(Array(json)))
    }

    /// `GET|HEAD /api/v1/stream/file/{fileId}[?strategy=DIRECT_PLAY]` (PROTOCOL.md §14.2.6): the
    /// file as is, byte ranges honoured, typed by its container (`video/x-matroska`, …).
    private func directPlay(_ request: APIRequest, fileID: String) async -> APIResponse {
        if let refusal = await authorizeMedia(request) { return refusal }
        let method: StreamingMethod = request.method == "HEAD" ? .head : .get
        if let strategy = request.query["strategy"], strategy.uppercased() != "DIRECT_PLAY" {
            return .error(status: 400, error: "bad_request",
                          message: "This endpoint serves the file as it is: strategy must be DIRECT_PLAY.", method: method)
        }
        guard let file = try? await library.mediaFile(id: fileID) else {
            return .error(status: 404, error: "not_found", message: "No such media file.", method: method)
        }
        // The container ffprobe named decides the type; without one, the extension does.
        let type = file.contentType
        return FileResponder.response(fileURL: file.url, method: method, headers: request.headers,
                                      contentType: type == "application/octet-stream" ? nil : type)
    }

    /// HLS, file and subtitle endpoints take the access token as bearer or the media token as `?token=`
    /// (§11.14); inside a tunnel the token must belong to the handshake's device (§12.14).
    func authorizeMedia(_ request: APIRequest) async -> APIResponse? {
        var device: DeviceRecord?
        if let bearer = request.bearerToken { device = try? await devices.validate(bearer, kind: .access) }
        if device == nil, let token = request.query["token"] { device = try? await devices.validate(token, kind: .media) }
        guard let device, request.tunnelDeviceID == nil || request.tunnelDeviceID == device.id else { return Self.unauthorized }
        return nil
    }

    /// What a stock server with the player switched off answers on every route (PROTOCOL.md §14.2.4).
    static let playerDisabled = APIResponse(
        status: 404, headers: ["content-type": "application/json", "cache-control": "no-store"],
        body: .bytes(Array(#"{"errors":[{"message":"The player API is disabled on this server","extensions":{"code":"PLAYER_DISABLED"}}]}"#.utf8)))

    static let unauthorized = APIResponse.error(status: 401, error: "unauthorized", message: "A valid access or media token is required.")
}
