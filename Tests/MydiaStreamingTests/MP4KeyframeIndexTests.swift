import Foundation
import Testing

@testable import MydiaStreaming

/// The keyframe index read from an MP4/MOV file's `moov` box equals what ffmpeg itself reports for
/// the file (the full framecrc scan with `-copyts`, and ffprobe's packet listing), on files made
/// here by the real ffmpeg in the layouts films come in; anything the reader does not reproduce
/// exactly, and every damaged index, falls back to the scan instead of giving a wrong index.
@Suite(.serialized) struct MP4KeyframeIndexTests {
    /// 20 s of a small test pattern at 25 fps with a tone, then the given encoder/muxer options.
    static func make(_ name: String, _ options: [String], input: [String]? = nil) throws -> URL {
        let file = TestMedia.fixtures.appendingPathComponent("mp4-index-v1-\(name)")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        let partial = TestMedia.fixtures.appendingPathComponent("\(UUID().uuidString)-\(name)")
        let source = input ?? [
            "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
            "-t", "20", "-c:a", "aac", "-shortest",
        ]
        let made = try TestMedia.run("ffmpeg", ["-nostdin", "-y", "-loglevel", "error"] + source + options + [partial.path])
        try #require(made.status == 0, "ffmpeg could not make \(name)")
        _ = rename(partial.path, file.path)
        return file
    }

    static let bFrames = ["-c:v", "libx264", "-preset", "fast", "-bf", "3", "-g", "30"]

    /// Files in the layouts the reader must get exactly right.
    static func supportedFiles() throws -> [URL] {
        [
            try make("no-b-frames.mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"]),
            try make("b-frames.mp4", bFrames),
            try make("b-frames-faststart.mp4", bFrames + ["-movflags", "+faststart"]),
            try make("offset.mp4", bFrames + ["-output_ts_offset", "3.5"]),
            try make("offset-90k.mp4", bFrames + ["-video_track_timescale", "90000", "-output_ts_offset", "2.345"]),
            try make("variable-gop.mp4", [
                "-c:v", "libx264", "-preset", "fast", "-bf", "2", "-g", "250",
                "-force_key_frames", "0,0.6,2.2,2.5,7.04,7.92,13,19.96",
            ]),
            try make("negative-offsets.mp4", bFrames + ["-movflags", "negative_cts_offsets"]),
            try make("no-edit-list.mp4", bFrames + ["-use_editlist", "0"]),
            try make("quicktime.mov", bFrames),
            try make("quicktime-offset.mov", bFrames + ["-output_ts_offset", "1.2"]),
            try make("ntsc.m4v", ["-c:v", "libx264", "-preset", "fast", "-bf", "3", "-g", "48", "-sc_threshold", "0"],
                     input: ["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=24000/1001", "-t", "20"]),
            try make("hevc.mp4", ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none:keyint=40", "-tag:v", "hvc1"]),
        ]
    }

    /// ffmpeg's own keyframe times for `file`: the framecrc scan over every packet.
    func ffmpegTimes(_ file: URL) async throws -> [Double] {
        let folder = TestMedia.freshFolder("mp4-scan")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await KeyframeIndex.scan(
            tools: try TestMedia.tools(), file: file, scratch: folder.appendingPathComponent("scan.txt"),
            log: folder.appendingPathComponent("log"), discardingNonKeyframes: false
        ).times
    }

    func expectSame(_ ours: [Double], _ theirs: [Double], _ label: String) {
        #expect(ours.count == theirs.count, "\(label): \(ours.count) keyframes, ffmpeg \(theirs.count)")
        for (a, b) in zip(ours, theirs) where abs(a - b) >= 0.001 {
            Issue.record("\(label): \(a) != \(b)")
            return
        }
    }

    @Test func theContainerIndexEqualsFfmpegsTimesInEveryLayout() async throws {
        for file in try Self.supportedFiles() {
            let ours = try KeyframeIndex.fromContainer(file).times
            let theirs = try await ffmpegTimes(file)
            #expect(theirs.count >= 3, "\(file.lastPathComponent)")
            expectSame(ours, theirs, file.lastPathComponent)
            expectSame(ours, try TestMedia.keyframes(file), "\(file.lastPathComponent) (ffprobe)")
        }
    }

    @Test func aLongFilesIndexIsReadWithoutReadingTheFile() async throws {
        let file = TestMedia.longClip  // 20 minutes, 6000 samples
        let started = ContinuousClock.now
        let ours = try KeyframeIndex.fromContainer(file).times
        let elapsed = ContinuousClock.now - started
        print("20-minute index from moov: \(elapsed)")
        #expect(ours.count > 300)
        expectSame(ours, try await ffmpegTimes(file), "20 minutes")
        #expect(elapsed < .seconds(1))
    }

    @Test func theLayoutsReallyDiffer() throws {
        // The fixtures exercise what they claim: offsets, edits, B-frames, a varying GOP.
        let offset = try KeyframeIndex.fromContainer(try Self.make("offset.mp4", Self.bFrames)).times
        #expect(abs(offset[0] - 3.5) < 0.001)
        let variable = try KeyframeIndex.fromContainer(try Self.supportedFiles()[5]).times
        let gaps = Set(zip(variable.dropFirst(), variable).map { Int((($0 - $1) * 100).rounded()) })
        #expect(gaps.count >= 4, "\(variable)")
        let noEdit = try KeyframeIndex.fromContainer(try Self.make("no-edit-list.mp4", Self.bFrames + ["-use_editlist", "0"])).times
        #expect(noEdit[0] > 0.05)  // without an edit list the B-frame delay stays in the times
    }

    /// ffmpeg 5.1's `-discard nokey` shifts MP4 B-frame keyframes (why MP4 is never scanned with it).
    @Test func theDiscardingScanIsWrongForMP4WithBFramesAndTheIndexIsRight() async throws {
        let file = try Self.make("b-frames.mp4", Self.bFrames)
        let folder = TestMedia.freshFolder("mp4-discard")
        defer { try? FileManager.default.removeItem(at: folder) }
        let discarding = try await KeyframeIndex.scan(
            tools: try TestMedia.tools(), file: file, scratch: folder.appendingPathComponent("scan.txt"),
            log: folder.appendingPathComponent("log"))
        let truth = try TestMedia.keyframes(file)
        #expect(zip(discarding.times, truth).contains { abs($0 - $1) > 0.01 })
        expectSame(try KeyframeIndex.fromContainer(file).times, truth, "index")
    }

    @Test func aMoovAfterA64BitMdatAndA64BitMoovAreRead() async throws {
        let file = try Self.make("b-frames.mp4", Self.bFrames)
        var bytes = [UInt8](try Data(contentsOf: file))
        let boxes = Self.topLevel(bytes)
        #expect(boxes.map(\.type) == ["ftyp", "free", "mdat", "moov"])
        // ffmpeg leaves an 8-byte `free` box before `mdat` for exactly this: grow mdat's header to 64 bits.
        let (free, mdat, moov) = (boxes[1], boxes[2], boxes[3])
        #expect(free.size == 8)
        // The trailing moov's header grows too (nothing after it, so no chunk offset moves).
        bytes.replaceSubrange(moov.offset..<(moov.offset + 8), with: Self.header64("moov", size: UInt64(moov.size + 8)))
        bytes.replaceSubrange(free.offset..<(mdat.offset + 8), with: Self.header64("mdat", size: UInt64(mdat.size + 8)))
        let wide = TestMedia.freshFolder("mp4-64").appendingPathComponent("wide.mp4")
        defer { try? FileManager.default.removeItem(at: wide.deletingLastPathComponent()) }
        try Data(bytes).write(to: wide)
        let theirs = try await ffmpegTimes(wide)
        expectSame(try KeyframeIndex.fromContainer(wide).times, theirs, "64-bit boxes")
        expectSame(theirs, try KeyframeIndex.fromContainer(file).times, "same media")
    }

    @Test func layoutsTheReaderDoesNotReproduceFallBackToTheScan() async throws {
        let tools = try TestMedia.tools()
        let cut = TestMedia.fixtures.appendingPathComponent("mp4-index-v1-cut.mp4")
        if !FileManager.default.fileExists(atPath: cut.path) {
            // A stream copy from 3.3 s: the edit starts inside a GOP, ffmpeg keeps its keyframe before it.
            _ = try TestMedia.run("ffmpeg", ["-nostdin", "-y", "-loglevel", "error", "-ss", "3.3", "-i",
                                             try Self.make("b-frames.mp4", Self.bFrames).path, "-c", "copy", cut.path])
        }
        let fragmented = try Self.make("fragmented.mp4", Self.bFrames + ["-movflags", "frag_keyframe+empty_moov"])
        let matroska = try Self.make("matroska.mkv", Self.bFrames)
        let cases: [(URL, MP4BoxReader.Error)] = [
            (cut, .unsupported("frames before the edit")), (fragmented, .unsupported("a fragmented file")), (matroska, .notISOBMFF),
        ]
        for (file, expected) in cases {
            #expect(throws: expected) { try KeyframeIndex.fromContainer(file) }
            let folder = TestMedia.freshFolder("mp4-fallback")
            let read = try await KeyframeIndex.read(
                tools: tools, file: file, scratch: folder.appendingPathComponent("scan.txt"), log: folder.appendingPathComponent("log"))
            try? FileManager.default.removeItem(at: folder)
            #expect(read.times.count >= 3, "\(file.lastPathComponent)")
            expectSame(read.times, try TestMedia.keyframes(file), "\(file.lastPathComponent) read")
        }
    }

    @Test func aTruncatedFileNeverGivesAnIndex() throws {
        let folder = TestMedia.freshFolder("mp4-truncated")
        defer { try? FileManager.default.removeItem(at: folder) }
        for source in [try Self.make("b-frames.mp4", Self.bFrames), try Self.make("b-frames-faststart.mp4", Self.bFrames + ["-movflags", "+faststart"])] {
            let bytes = try Data(contentsOf: source)
            // Lengths through the headers and the faststart moov, then strides over the rest.
            let lengths = Array(stride(from: 0, to: 4096, by: 13)) + Array(stride(from: 4096, to: bytes.count, by: 4999))
            for length in lengths {
                let file = folder.appendingPathComponent("t.mp4")
                try bytes.prefix(length).write(to: file)
                #expect(throws: MP4BoxReader.Error.self, "\(source.lastPathComponent) cut at \(length)") {
                    try KeyframeIndex.fromContainer(file)
                }
            }
        }
    }

    /// Random byte changes inside `moov`: the reader either refuses the file or gives exactly what
    /// ffmpeg gives for the damaged file; it never crashes.
    @Test func aCorruptedMoovIsRefusedOrReadLikeFfmpegReadsIt() async throws {
        let source = try Self.make("b-frames-faststart.mp4", Self.bFrames + ["-movflags", "+faststart"])
        let original = [UInt8](try Data(contentsOf: source))
        let box = try #require(Self.topLevel(original).first { $0.type == "moov" })
        let (moov, moovSize) = (box.offset, box.size)
        let expected = try KeyframeIndex.fromContainer(source).times
        let folder = TestMedia.freshFolder("mp4-corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = SplitMix64(seed: 20)
        var refused = 0, same = 0, differentButFfmpegAgrees = 0
        for round in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let at = moov + Int(random.next() % UInt64(moovSize))
                bytes[at] = round % 3 == 0 ? 0xff : UInt8(truncatingIfNeeded: random.next())
            }
            let file = folder.appendingPathComponent("c-\(round).mp4")
            try Data(bytes).write(to: file)
            if let times = try? KeyframeIndex.fromContainer(file).times {
                if times == expected {
                    same += 1
                } else {
                    expectSame(times, try await ffmpegTimes(file), "corruption \(round)")
                    differentButFfmpegAgrees += 1
                }
            } else {
                refused += 1
            }
            try? FileManager.default.removeItem(at: file)
        }
        print("corrupted moov: \(refused) refused, \(same) unchanged, \(differentButFfmpegAgrees) changed like ffmpeg")
        #expect(refused > 0 && same > 0)
    }

    /// The top-level boxes of a well-formed file made by ffmpeg (32-bit sizes).
    static func topLevel(_ bytes: [UInt8]) -> [(type: String, offset: Int, size: Int)] {
        var boxes: [(String, Int, Int)] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) })
            guard size >= 8 else { break }
            boxes.append((String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self), offset, size))
            offset += size
        }
        return boxes
    }

    static func header64(_ type: String, size: UInt64) -> [UInt8] {
        [0, 0, 0, 1] + Array(type.utf8) + (0..<8).map { UInt8(truncatingIfNeeded: size >> (56 - 8 * UInt64($0))) }
    }
}

/// A small seeded generator, so a failing corruption round can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
