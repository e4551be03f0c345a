import Foundation
public import MydiaWire

/// `streamingCandidates` and `MediaFile.directPlaySupported` (PROTOCOL.md §14.1, §14.2.7): the
/// ways this server can deliver a file to one client, best first, in stock Mydia's shape.
///
/// - DIRECT_PLAY (the file as is, `GET /api/v1/stream/file/{id}`) comes first when the client's
///   device profile lists the file's container and the codecs of its streams — or when the
///   client sent no profile, as stock does: the honest answer is then unknowable, and `true` is
///   what stock answered before profiles existed.
/// - HLS_COPY (remux into MPEG-TS segments) follows when the codecs fit HLS: H.264/HEVC video,
///   AAC/MP3/AC-3/E-AC-3 audio.
/// - TRANSCODE (H.264 High + AAC-LC in MPEG-TS) is always last.
///
/// REMUX (to fragmented MP4) is never offered: this server has no such route.
public struct StreamingCandidates: Sendable, Equatable {
    /// One way to play the file (`StreamingCandidate`).
    public struct Candidate: Sendable, Equatable {
        /// `StreamingCandidateStrategy`.
        public enum Strategy: String, Sendable, CaseIterable {
            /// The file as is.
            case directPlay = "DIRECT_PLAY"
            /// Container change to fMP4 (stock only; never offered here).
            case remux = "REMUX"
            /// HLS with stream copy.
            case hlsCopy = "HLS_COPY"
            /// HLS, re-encoded.
            case transcode = "TRANSCODE"
        }

        /// How.
        public var strategy: Strategy
        /// Full MIME type with the `codecs` parameter.
        public var mime: String
        /// `mkv`, `mp4`, `ts`, …
        public var container: String
        /// RFC 6381 video codec string.
        public var videoCodec: String?
        /// RFC 6381 audio codec string.
        public var audioCodec: String?

        /// Creates a candidate from its parts.
        public init(strategy: Strategy, mime: String, container: String, videoCodec: String?, audioCodec: String?) {
            self.strategy = strategy
            self.mime = mime
            self.container = container
            self.videoCodec = videoCodec
            self.audioCodec = audioCodec
        }
    }

    /// `StreamingMetadata`: the source file's facts.
    public struct Metadata: Sendable, Equatable {
        /// Seconds.
        public var duration: Double?
        /// Pixels.
        public var width: Int?
        /// Pixels.
        public var height: Int?
        /// Bits per second.
        public var bitrate: Int?
        /// `1080p`, `720p`, … (``MediaFileRecord/resolutionLabel``).
        public var resolution: String?
        /// ffprobe's name of the video codec (`h264`).
        public var originalCodec: String?
        /// ffprobe's name of the audio codec (`aac`).
        public var originalAudioCodec: String?
        /// `mkv`, `mp4`, …
        public var container: String?

        /// Creates metadata from its parts.
        public init(duration: Double?, width: Int?, height: Int?, bitrate: Int?, resolution: String?,
                    originalCodec: String?, originalAudioCodec: String?, container: String?) {
            self.duration = duration
            self.width = width
            self.height = height
            self.bitrate = bitrate
            self.resolution = resolution
            self.originalCodec = originalCodec
            self.originalAudioCodec = originalAudioCodec
            self.container = container
        }
    }

    /// Video codecs that a copy into MPEG-TS HLS segments keeps playable (as `HLSSourceProbe`).
    public static let hlsVideoCodecs: Set<String> = ["h264", "hevc"]
    /// Audio codecs that MPEG-TS HLS carries.
    public static let hlsAudioCodecs: Set<String> = ["aac", "mp3", "ac3", "eac3"]

    /// The file's id (`StreamingCandidatesResult.fileId`).
    public var fileID: String
    /// Best first; never empty (TRANSCODE is always there).
    public var candidates: [Candidate]
    /// `MediaFile.directPlaySupported` for this client.
    public var directPlaySupported: Bool
    /// The source's facts.
    public var metadata: Metadata

    /// The candidates for `file` as the client with `profile` sees them.
    /// - Parameters:
    ///   - file: the catalog's record (container, codecs, streams).
    ///   - profile: the decoded `X-Mydia-Device-Profile`; `nil` when the client sent none or an
    ///     unusable one.
    public init(file: MediaFileRecord, profile: DeviceProfile?) {
        let container = file.container ?? MediaContainer.name(formatName: nil, fileExtension: file.url.pathExtension)
        let video = file.videoStream
        let audio = file.audioStream
        let videoString = CodecString.video(codec: file.videoCodec, profile: video?.profile, level: video?.level)
        let audioString = CodecString.audio(codec: file.audioCodec, profile: audio?.profile)
        let direct = Self.directPlaySupported(file: file, profile: profile)

        var list: [Candidate] = []
        if direct, let container {
            list.append(Candidate(strategy: .directPlay, mime: CodecString.mime(container: container, video: videoString, audio: audioString),
                                  container: container, videoCodec: videoString, audioCodec: audioString))
        }
        if Self.fitsHLS(videoCodec: file.videoCodec, audioCodec: file.audioCodec) {
            list.append(Candidate(strategy: .hlsCopy, mime: CodecString.mime(container: "ts", video: videoString, audio: audioString),
                                  container: "ts", videoCodec: videoString, audioCodec: audioString))
        }
        let transcodeAudio = file.audioCodec == nil ? nil : CodecString.transcodeAudio
        list.append(Candidate(strategy: .transcode,
                              mime: CodecString.mime(container: "ts", video: CodecString.transcodeVideo, audio: transcodeAudio),
                              container: "ts", videoCodec: CodecString.transcodeVideo, audioCodec: transcodeAudio))

        self.fileID = file.id
        self.candidates = list
        self.directPlaySupported = direct
        self.metadata = Metadata(
            duration: file.duration > 0 ? file.duration : nil, width: file.width, height: file.height,
            bitrate: file.bitrate, resolution: file.resolutionLabel, originalCodec: file.videoCodec,
            originalAudioCodec: file.audioCodec, container: container)
    }

    /// `MediaFile.directPlaySupported`: `true` without a profile (stock's answer, see the schema's
    /// doc comment), else whether the profile lists the container and the streams' codecs.
    public static func directPlaySupported(file: MediaFileRecord, profile: DeviceProfile?) -> Bool {
        guard let profile else { return true }
        let container = file.container ?? MediaContainer.name(formatName: nil, fileExtension: file.url.pathExtension)
        return profile.playsUntouched(container: container, videoCodec: file.videoCodec, audioCodec: file.audioCodec)
    }

    /// Whether `-c copy` into MPEG-TS HLS keeps the file playable: a video and/or audio stream,
    /// each in a codec HLS carries.
    public static func fitsHLS(videoCodec: String?, audioCodec: String?) -> Bool {
        guard videoCodec != nil || audioCodec != nil else { return false }
        if let videoCodec, !hlsVideoCodecs.contains(videoCodec.lowercased()) { return false }
        if let audioCodec, !hlsAudioCodecs.contains(audioCodec.lowercased()) { return false }
        return true
    }
}
