import Foundation
@testable import MydiaLibrary
import Testing

/// `MediaFile.segments` on mydia-server: chapter titles that name an intro or the credits, the
/// sidecar's shape, and real ffprobe on a file with chapters made by ffmpeg.
struct SkipSegmentTests {
    @Test func chapterTitlesNameIntrosAndCreditsAndNothingElse() {
        for title in ["Intro", "OPENING", "Opening Credits", "op", "Intro 2", "- Theme -"] {
            #expect(SkipSegment.kind(ofChapterTitle: title) == .intro, "\(title)")
        }
        for title in ["Credits", "End Credits", "Ending", "ED", "Outro", "closing credits"] {
            #expect(SkipSegment.kind(ofChapterTitle: title) == .credits, "\(title)")
        }
        for title in ["Chapter 3", "Opening Scene", "Prologue", "", "Introduction to Physics", "Credits Scene"] {
            #expect(SkipSegment.kind(ofChapterTitle: title) == nil, "\(title)")
        }
    }

    @Test func theSidecarIsReadInSecondsAndBrokenEntriesAreLeftOut() throws {
        let json = #"{"segments":[{"type":"credits","start":1290,"end":1352},{"type":"INTRO","start":62,"end":151.5},"#
            + #"{"type":"intro","start":10,"end":5},{"type":"recap","start":1,"end":9},{"type":"intro","start":150,"end":160}]}"#
        let segments = try #require(SegmentSidecar.parse(Data(json.utf8)))
        // Sorted; the backwards span and the unknown type left out; the overlapping intros merged.
        #expect(segments == [SkipSegment(kind: .intro, startMs: 62_000, endMs: 160_000)!,
                             SkipSegment(kind: .credits, startMs: 1_290_000, endMs: 1_352_000)!])
        #expect(SegmentSidecar.parse(Data("[]".utf8)) == nil)
        #expect(SegmentSidecar.url(forVideo: URL(fileURLWithPath: "/m/Show - S01E01.mkv")).path == "/m/Show - S01E01.segments.json")
    }

    @Test func ffprobeChaptersBecomeSegments() throws {
        let dir = NSTemporaryDirectory() + "mydia-chapters-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let metadata = ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=Opening\n"
            + "[CHAPTER]\nTIMEBASE=1/1000\nSTART=2000\nEND=3000\ntitle=Part 1\n"
            + "[CHAPTER]\nTIMEBASE=1/1000\nSTART=3000\nEND=4000\ntitle=Ending\n"
        try metadata.write(toFile: dir + "/chapters.txt", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                       "testsrc2=size=64x48:rate=10:duration=4", "-i", dir + "/chapters.txt", "-map_chapters", "1",
                       "-c:v", "libx264", "-preset", "ultrafast", dir + "/clip.mkv"]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        let segments = ChapterSegments.probe(URL(fileURLWithPath: dir + "/clip.mkv"), executable: "ffprobe")
        #expect(segments == [SkipSegment(kind: .intro, startMs: 0, endMs: 2000)!, SkipSegment(kind: .credits, startMs: 3000, endMs: 4000)!])
        // Not media: no segments, no crash.
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: dir + "/junk.mp4"))
        #expect(ChapterSegments.probe(URL(fileURLWithPath: dir + "/junk.mp4"), executable: "ffprobe") == nil)
        #expect(ChapterSegments.probe(URL(fileURLWithPath: dir + "/clip.mkv"), executable: "/nonexistent/ffprobe") == nil)
    }
}
