public import MydiaWire

/// What mpv plays untouched (PROTOCOL.md §14.2.7), sent as `X-Mydia-Device-Profile` with
/// `streamingCandidates` so the server puts direct play first for files mpv opens as they are.
///
/// mpv demuxes and decodes through FFmpeg: every mainstream container and codec is in. Names are
/// FFmpeg's (as ffprobe reports them), with the usual file-extension spellings of containers; the
/// server folds aliases (`matroska` = `mkv`, `avc1` = `h264`). HDR: mpv renders HDR10 and HLG
/// (tone-mapped on an SDR display); Dolby Vision and HDR10+ metadata are not claimed.
public enum MPVDeviceProfile {
    /// The profile.
    public static let profile = DeviceProfile(
        containers: ["mkv", "webm", "mp4", "mov", "m4v", "avi", "ts", "m2ts", "mpegts", "ogg", "ogv", "flv", "wmv", "asf",
                     "mpeg", "mpg", "vob", "3gp", "mka", "m4a", "mp3", "flac", "wav"],
        videoCodecs: ["h264", "hevc", "vp8", "vp9", "av1", "mpeg2video", "mpeg1video", "mpeg4", "msmpeg4v3", "h263", "vc1",
                      "wmv3", "theora", "prores", "mjpeg", "dnxhd"],
        audioCodecs: ["aac", "mp3", "mp2", "ac3", "eac3", "opus", "vorbis", "flac", "alac", "truehd", "dts", "wmav2", "wmapro",
                      "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_s16be", "pcm_s24be", "pcm_u8", "pcm_bluray",
                      "pcm_dvd"],
        hdrFormats: ["hdr10", "hlg"])

    /// The header's value (base64url JSON); `nil` only if the profile were over the header's limits.
    public static var headerValue: String? { try? profile.headerValue() }
}
