import Foundation

extension HLSSessionManager {
    /// How a session's segments are made.
    enum SegmentEncoding: Equatable {
        /// `-c copy`: cut at the source's keyframes, which the playlist was computed from.
        case copy
        /// libx264/aac with a keyframe forced at every segment start; `maxHeight` scales down.
        case transcode(maxHeight: Int?)
    }

    /// At most this many segment ends are handed to one run; a run that gets there is stopped and
    /// the next request starts another. Keeps the argument list short (a week-long file has
    /// hundreds of thousands of segments).
    static let segmentsPerRun = 400

    /// Prepended to every segment report so that two fill most of a one-page pipe: ffmpeg then
    /// blocks on the third until the server reads on.
    static let segmentListPadding = String(repeating: "x", count: 1500) + "/"

    /// Options shared by every ffmpeg run: no stdin, quiet log, and only local files are read (a
    /// file that is really a playlist of URLs is refused, PROTOCOL.md §13.100).
    private var commonArguments: [String] {
        ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning", "-protocol_whitelist", "file"]
    }

    /// First real video and first audio stream only (cover art, subtitles and data are dropped).
    private var streamSelection: [String] {
        ["-map", "0:V:0?", "-map", "0:a:0?", "-sn", "-dn"]
    }

    /// The arguments of a run that makes segments `first…last` of `playlist` from `file` into
    /// `folder`.
    ///
    /// Both encodings read with `-copyts`, so the segments carry the source's own timestamps
    /// whichever run made them and a restarted run's segments join the earlier ones seamlessly.
    /// A run that does not start at the beginning seeks there with `-ss`: for a copy half a
    /// millisecond past the keyframe the segment starts at (the input seek lands on the keyframe at
    /// or before it, so rounding can never land a keyframe early), for a transcode exactly there
    /// (decoding seeks accurately). ffmpeg's segment muxer then cuts at exactly the playlist's
    /// starts (`-segment_times`; a transcode forces a keyframe at each of them), numbering from
    /// `first`. Cutting at given times is why the segment muxer is used, not the HLS muxer: the
    /// HLS muxer cuts `-hls_time` after wherever its input began, which after a seek is not where
    /// the playlist says.
    func runArguments(file: URL, playlist: HLSPlaylist, encoding: SegmentEncoding, first: Int, last: Int, folder: URL)
        -> [String]
    {
        let cuts = playlist.starts.indices.contains(first + 1)
            ? Array(playlist.starts[(first + 1)...min(last + 1, playlist.count - 1)]) : []
        // With no cut left, one far beyond the end: the muxer needs a list.
        let times = (cuts.isEmpty ? [playlist.end + 3600] : cuts).map(HLSPlaylist.format).joined(separator: ",")
        var arguments = commonArguments
        switch encoding {
        case .copy:
            if first > 0 { arguments += ["-ss", HLSPlaylist.format(playlist.starts[first] + 0.0005)] }
            arguments += ["-copyts", "-i", file.path] + streamSelection + ["-c", "copy"]
        case .transcode(let maxHeight):
            if let rate = configuration.transcodeReadRate { arguments += ["-readrate", String(rate)] }
            if first > 0 { arguments += ["-ss", HLSPlaylist.format(playlist.starts[first])] }
            arguments += ["-copyts", "-i", file.path] + streamSelection + [
                "-c:v", "libx264", "-preset", configuration.transcodePreset, "-crf", String(configuration.transcodeCRF),
                // A ceiling keeps the aspect ratio with an even width; otherwise only odd sizes are evened.
                "-pix_fmt", "yuv420p", "-vf", maxHeight.map { "scale=-2:\($0)" } ?? "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                "-force_key_frames", times, "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "160k", "-ac", "2",
            ]
        }
        arguments += [
            "-avoid_negative_ts", "disabled",
            // Inside each segment too: a segment that starts with audio before 0 (AAC priming) would
            // otherwise be shifted on its own and jump back at the next segment.
            "-f", "segment", "-segment_format", "mpegts", "-segment_format_options", "avoid_negative_ts=disabled",
            "-segment_times", times, "-segment_time_delta", "0.0002",
            "-segment_start_number", String(first),
            // Each finished segment is reported on stdout, padded so that a couple of unread
            // reports fill the pipe (see SegmentRun, OutputLines).
            "-segment_list", "pipe:1", "-segment_list_type", "csv",
            "-segment_list_entry_prefix", Self.segmentListPadding,
            folder.appendingPathComponent(HLSPlaylist.segmentFilenamePattern).path,
        ]
        return arguments
    }
}
