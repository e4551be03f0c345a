import Foundation

/// A library for the skip and track tests, made once per machine with ffmpeg (12 s and 6 s
/// low-resolution clips):
///
/// - `Movies/Chaptered Pattern (2021).mp4`: chapters Cold open 0–1 s, Intro 1–6 s, Story 6–10 s,
///   End Credits 10–12 s (an ffmetadata chapters file);
/// - `Movies/Sidecar Pattern (2022).mp4`: no chapters, a `.segments.json` sidecar: intro 2–4 s;
/// - `Movies/Two Voices (2023).mkv`: two audio tracks, eng (440 Hz) then jpn (880 Hz);
/// - `Shows/Credit Roll/Season 1/`: S01E01 (6 s, sidecar credits 3–6 s) and S01E02 (6 s).
enum SkipLibrary {
    static let chapters = """
        ;FFMETADATA1
        [CHAPTER]
        TIMEBASE=1/1000
        START=0
        END=1000
        title=Cold open
        [CHAPTER]
        TIMEBASE=1/1000
        START=1000
        END=6000
        title=Intro
        [CHAPTER]
        TIMEBASE=1/1000
        START=6000
        END=10000
        title=Story
        [CHAPTER]
        TIMEBASE=1/1000
        START=10000
        END=12000
        title=End Credits

        """

    static func make() throws -> String {
        let dir = NSTemporaryDirectory() + "mydia-skip-tests-library-v1"
        if FileManager.default.fileExists(atPath: dir + "/.complete") { return dir }
        let building = dir + ".\(UUID().uuidString).partial"
        let fm = FileManager.default
        try fm.createDirectory(atPath: building + "/Movies", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: building + "/Shows/Credit Roll/Season 1", withIntermediateDirectories: true)
        let metadata = building + "/chapters.txt"
        try chapters.write(toFile: metadata, atomically: true, encoding: .utf8)
        let video = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24:duration=12"]
        let encode = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k"]
        try ffmpeg(video + ["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000:duration=12", "-i", metadata,
                            "-map", "0:v", "-map", "1:a", "-map_chapters", "2"] + encode + [building + "/Movies/Chaptered Pattern (2021).mp4"])
        try ffmpeg(video + ["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000:duration=12"] + encode
                   + [building + "/Movies/Sidecar Pattern (2022).mp4"])
        try #"{"segments":[{"type":"intro","start":2,"end":4},{"type":"recap","start":5,"end":6}]}"#
            .write(toFile: building + "/Movies/Sidecar Pattern (2022).segments.json", atomically: true, encoding: .utf8)
        try ffmpeg(video + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12",
                            "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000:duration=12",
                            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=jpn"]
                   + encode + [building + "/Movies/Two Voices (2023).mkv"])
        let season = building + "/Shows/Credit Roll/Season 1/"
        let short = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24:duration=6",
                     "-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000:duration=6"]
        try ffmpeg(short + encode + [season + "Credit Roll - S01E01 - One.mp4"])
        try ffmpeg(short + encode + [season + "Credit Roll - S01E02 - Two.mp4"])
        try #"{"segments":[{"type":"credits","start":3,"end":6}]}"#
            .write(toFile: season + "Credit Roll - S01E01 - One.segments.json", atomically: true, encoding: .utf8)
        try fm.removeItem(atPath: metadata)
        _ = fm.createFile(atPath: building + "/.complete", contents: Data())
        if (try? fm.moveItem(atPath: building, toPath: dir)) == nil {
            try? fm.removeItem(atPath: building)  // another suite made it first
            guard fm.fileExists(atPath: dir + "/.complete") else { throw CocoaError(.fileWriteUnknown) }
        }
        return dir
    }

    private static func ffmpeg(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
