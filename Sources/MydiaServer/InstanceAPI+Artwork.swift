import Foundation
import MydiaLibrary
import MydiaStreaming

/// `GET|HEAD /api/v1/artwork/{movie|show}/{id}/poster`: the item's poster (a sidecar
/// `poster.jpg`/`folder.jpg`, else a frame at 10 % of its runtime), with the media routes'
/// authentication (bearer access token, or media token as `?token=`). 404 for an unknown item
/// or one without a poster; 500 when ffmpeg fails or the cache cannot be written.
extension InstanceAPI {
    func poster(_ request: APIRequest, kind: String, id rawID: String) async -> APIResponse {
        if let refusal = await authorizeMedia(request) { return refusal }
        let method: StreamingMethod = request.method == "HEAD" ? .head : .get
        guard let artwork, let kind = ArtworkStore.Kind(rawValue: kind), let id = rawID.removingPercentEncoding else {
            return .error(status: 404, error: "not_found", message: "No such poster.", method: method)
        }
        let poster: ArtworkStore.Poster
        do {
            poster = try await artwork.poster(kind: kind, id: id)
        } catch {
            switch error {
            case .notFound: return .error(status: 404, error: "not_found", message: "No such poster.", method: method)
            case .grabFailed, .timedOut, .storageUnavailable:
                return .error(status: 500, error: "internal_error", message: error.description, method: method)
            }
        }
        return APIResponse(status: 200, headers: [
            "content-type": poster.contentType,
            "content-length": String(poster.bytes.count),
            "cache-control": "private, max-age=86400",
        ], body: .bytes(method == .head ? [] : poster.bytes))
    }
}
