import Foundation
import MydiaLibrary
import MydiaStreaming

/// `GET|HEAD /api/player/v1/subtitles/file/{fileId}/{trackId}?format=vtt` (PROTOCOL.md §14.1
/// `SubtitleTrack.url(format: VTT)`, §14.2.6): one subtitle track as WebVTT, with the media
/// routes' authentication (bearer access token, or media token as `?token=`).
///
/// The track id is looked up among the file's tracks (``MediaLibrary/subtitleTrack(fileID:trackID:)``),
/// never joined into a path. Answers: 200 `text/vtt; charset=utf-8`; 404 for an unknown file or
/// track; 415 for an image-based track (PGS, VobSub, DVB), which plays only in direct mode;
/// 400 for a `format` other than `vtt`; 422 when the track cannot be turned into WebVTT.
extension InstanceAPI {
    func subtitle(_ request: APIRequest, fileID: String, trackID: String) async -> APIResponse {
        if let refusal = await authorizeMedia(request) { return refusal }
        let method: StreamingMethod = request.method == "HEAD" ? .head : .get
        if let format = request.query["format"], format.lowercased() != "vtt" {
            return .error(status: 400, error: "bad_request", message: "This server delivers subtitles as format=vtt only.",
                          method: method)
        }
        let found: (file: MediaFileRecord, track: SubtitleTrack)?
        do {
            found = try await library.subtitleTrack(fileID: fileID, trackID: trackID)
        } catch {
            return .error(status: 500, error: "internal_error", message: "The catalog could not be read.", method: method)
        }
        guard let (file, track) = found else {
            return .error(status: 404, error: "not_found", message: "No such subtitle track.", method: method)
        }
        guard track.deliverable else {
            return .error(status: 415, error: "unsupported_media_type",
                          message: "This subtitle track is image-based (\(track.format)) and plays only in direct play.",
                          method: method)
        }
        let source: SubtitleConverter.Source = switch track.source {
        case .embedded(let index): .stream(file.url, index: index)
        case .sidecar(let url) where track.format == "vtt": .webVTTFile(url)
        case .sidecar(let url): .textFile(url)
        }
        let vtt: [UInt8]
        do {
            vtt = try await subtitles.webVTT(for: source, fileID: file.id, trackID: track.trackID)
        } catch let error as SubtitleConverter.Error {
            switch error {
            case .sourceMissing:
                return .error(status: 404, error: "not_found", message: error.description, method: method)
            case .invalidWebVTT, .tooLarge, .conversionFailed:
                return .error(status: 422, error: "unprocessable_subtitle", message: error.description, method: method)
            case .timedOut, .ffmpegLaunchFailed, .storageUnavailable:
                return .error(status: 500, error: "internal_error", message: error.description, method: method)
            }
        } catch {
            return .error(status: 500, error: "internal_error", message: "The subtitle track could not be delivered.", method: method)
        }
        return APIResponse(status: 200, headers: [
            "content-type": "text/vtt; charset=utf-8",
            "content-length": String(vtt.count),
            "cache-control": "private, max-age=3600",
        ], body: .bytes(method == .head ? [] : vtt))
    }
}
