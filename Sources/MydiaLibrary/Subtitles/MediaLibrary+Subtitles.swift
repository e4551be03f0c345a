import Foundation

/// A file's subtitle tracks (`MediaFile.subtitles`, PROTOCOL.md §14.1): the subtitle streams the
/// scan recorded, then the sidecar files next to it as they are now.
extension MediaLibrary {
    /// The subtitle tracks of `file`: embedded streams in index order, then sidecars in name order.
    /// Lists the file's folder (no ffprobe run).
    public func subtitleTracks(of file: MediaFileRecord) -> [SubtitleTrack] {
        Self.embeddedSubtitleTracks(of: file) + SidecarSubtitles.tracks(forVideo: file.url)
    }

    /// The subtitle tracks of the file with id `fileID`, or `nil` when there is no such file.
    public func subtitleTracks(fileID: String) async throws -> [SubtitleTrack]? {
        guard let file = try await mediaFile(id: fileID) else { return nil }
        return subtitleTracks(of: file)
    }

    /// One track of one file, looked up by id (for the WebVTT route), or `nil` when either is
    /// unknown.
    public func subtitleTrack(fileID: String, trackID: String) async throws -> (file: MediaFileRecord, track: SubtitleTrack)? {
        guard let file = try await mediaFile(id: fileID) else { return nil }
        // Embedded ids are stream indexes: no folder listing needed for them.
        if trackID.first?.isNumber == true {
            return Self.embeddedSubtitleTracks(of: file).first { $0.trackID == trackID }.map { (file, $0) }
        }
        return SidecarSubtitles.tracks(forVideo: file.url).first { $0.trackID == trackID }.map { (file, $0) }
    }

    /// The subtitle streams of `file` as tracks; the track id is the stream index.
    public static func embeddedSubtitleTracks(of file: MediaFileRecord) -> [SubtitleTrack] {
        file.streams.filter { $0.kind == .subtitle }.map { stream in
            let (format, deliverable) = SubtitleFormatName.forCodec(stream.codec)
            let language = LanguageCode.iso639_2(stream.language)
            let title = stream.title ?? SubtitleTrack.displayTitle(
                language: language, forced: stream.isForced, hearingImpaired: stream.isHearingImpaired)
            return SubtitleTrack(
                trackID: String(stream.index), language: language, title: title, format: format,
                deliverable: deliverable, forced: stream.isForced, hearingImpaired: stream.isHearingImpaired,
                isDefault: stream.isDefault, source: .embedded(streamIndex: stream.index))
        }
    }
}
