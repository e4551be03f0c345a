import Foundation
import Testing

@testable import MydiaStreaming

/// PROTOCOL.md §14.4: a session starts without remuxing the whole file, its FULL playlist is cut
/// at the keyframes, segments are made ahead of the player, a far seek restarts production, and
/// disk stays bounded — on a 20-minute file made by the real ffmpeg.
@Suite(.serialized) struct HLSInstantStartTests {
    func manager(_ label: String, configure: (inout HLSSessionManager.Configuration) -> Void = { _ in })
        throws -> HLSSessionManager
    {
        var configuration = HLSSessionManager.Configuration(root: TestMedia.freshFolder(label))
        configuration.transcodePreset = "ultrafast"
        configure(&configuration)
        return HLSSessionManager(configuration: configuration, tools: try TestMedia.tools())
    }

    /// The playlist the server should list for `file`, computed here from ffprobe's own keyframe
    /// listing with the rule of §14.4: a segment ends at the first keyframe at least 4 s after its start.
    func expectedDurations(_ file: URL, duration: Double) throws -> [Double] {
        var starts = [0.0]
        for keyframe in try TestMedia.keyframes(file) where keyframe - starts[starts.count - 1] >= 4 - 1e-6 {
            starts.append(keyframe)
        }
        if duration - starts[starts.count - 1] < 0.5 { starts.removeLast() }
        return starts.indices.map { ($0 + 1 < starts.count ? starts[$0 + 1] : duration) - starts[$0] }
    }

    func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, ContinuousClock.now - started)
    }

    func segmentFiles(_ manager: HLSSessionManager, _ id: String) async -> Int {
        await manager.sessions[id]?.ready.count ?? 0
    }

    @Test func startDoesNotGrowWithTheFileAndTheFirstSegmentComesAtOnce() async throws {
        let long = TestMedia.longClip, short = TestMedia.shortClip
        // Cold each time: a fresh manager has no keyframe index cached.
        var longTimes: [Duration] = [], shortTimes: [Duration] = []
        for round in 0..<3 {
            for (file, isLong) in [(short, false), (long, true)] {
                let manager = try manager("instant-\(round)")
                let (info, elapsed) = try await timed {
                    let info = try await manager.start(fileURL: file, strategy: .hlsCopy)
                    let first = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
                    #expect(first.status == 200)
                    return info
                }
                #expect(info.strategy == .hlsCopy && info.playlistMode == .full)
                if isLong {
                    longTimes.append(elapsed)
                    #expect(abs(info.duration - 1200) < 1)
                    // Nothing like the whole film was made: production stops ahead of the player.
                    try await Task.sleep(for: .milliseconds(500))
                    let made = await manager.sessions[info.sessionId]?.ready.count ?? 0
                    let files = await manager.sessions[info.sessionId]?.run?.existing() ?? []
                    #expect(made <= 8 + 1, "segments served: \(made)")
                    #expect(files.count <= 8 + 1 + 3 + 1, "segment files: \(files)")
                } else {
                    shortTimes.append(elapsed)
                }
                await TestMedia.cleanUp(manager)
            }
        }
        let longBest = longTimes.min() ?? .zero, shortBest = shortTimes.min() ?? .zero
        print("start + first segment: 20 min \(longBest), 30 s \(shortBest)")
        // Generous for a loaded machine; remuxing the whole file first would fail the absolute bound.
        #expect(longBest < shortBest * 3 + .seconds(1))
        #expect(longBest < .seconds(3))
    }

    @Test func theKeyframeIndexIsCachedPerFile() async throws {
        let manager = try manager("cache")
        let first = try await manager.start(fileURL: TestMedia.longClip, strategy: .hlsCopy)
        #expect(await manager.keyframeCache.count == 1)
        let second = try await manager.start(fileURL: TestMedia.longClip, strategy: .hlsCopy, startPosition: 600)
        let a = try await manager.response(sessionId: first.sessionId, path: "index.m3u8").text
        let b = try await manager.response(sessionId: second.sessionId, path: "index.m3u8").text
        #expect(a == b)
        #expect(await manager.keyframeCache.count == 1)
        // Production of the second started where its player starts: the segment holding 600 s.
        var elapsed = 0.0, holding = 0
        for (index, entry) in playlistEntries(b).enumerated() where elapsed <= 600 {
            holding = index
            elapsed += entry.duration
        }
        #expect(await manager.sessions[second.sessionId]?.run?.first == holding)
        #expect(holding > 80)
        await TestMedia.cleanUp(manager)
    }

    @Test func thePlaylistIsFullAndCutAtTheKeyframes() async throws {
        let manager = try manager("keyframes")
        let info = try await manager.start(fileURL: TestMedia.longClip, strategy: .hlsCopy)
        let text = try await manager.response(sessionId: info.sessionId, path: "index.m3u8").text
        #expect(text.contains("#EXT-X-PLAYLIST-TYPE:VOD") && text.hasSuffix("#EXT-X-ENDLIST\n"))
        let entries = playlistEntries(text)
        let expected = try expectedDurations(TestMedia.longClip, duration: info.duration)
        #expect(entries.count == expected.count)
        #expect(entries.count > 150)
        for (entry, want) in zip(entries, expected) {
            #expect(abs(entry.duration - want) < 0.001, "\(entry.uri): \(entry.duration) != \(want)")
        }
        #expect(abs(entries.map(\.duration).reduce(0, +) - info.duration) < 0.01)
        #expect(text.contains("#EXT-X-TARGETDURATION:7"))  // 6.8 s segments: a keyframe every 3.4 s
        await TestMedia.cleanUp(manager)
    }

    /// Every segment is fetched in order (production is frozen and woken along the way), each one
    /// starts at its playlist time, and the whole set plays to its end in real headless mpv.
    @Test func everySegmentIsServedInOrderAndTheWholePlaylistPlaysInMpv() async throws {
        let manager = try manager("play") {
            $0.aheadSegments = 4
            $0.behindSegments = 2
        }
        let info = try await manager.start(fileURL: TestMedia.longClip, strategy: .hlsCopy)
        let text = try await manager.response(sessionId: info.sessionId, path: "index.m3u8").text
        let entries = playlistEntries(text)
        let copy = TestMedia.freshFolder("play-copy")
        try Data(text.utf8).write(to: copy.appendingPathComponent("index.m3u8"))

        var largestDisk = 0, largestSegment = 0, mostFiles = 0, start = 0.0, offset: Double?
        var held = false
        let keyframes = try TestMedia.keyframes(TestMedia.longClip)
        for (index, entry) in entries.enumerated() {
            let response = await manager.response(sessionId: info.sessionId, path: entry.uri)
            #expect(response.status == 200, "\(entry.uri)")
            let bytes = try await response.collect().bytes
            #expect(bytes.first == 0x47 && bytes.count % 188 == 0, "\(entry.uri)")
            let file = copy.appendingPathComponent(entry.uri)
            try Data(bytes).write(to: file)
            largestSegment = max(largestSegment, bytes.count)
            largestDisk = max(largestDisk, await manager.diskUsage(sessionId: info.sessionId))
            mostFiles = max(mostFiles, await segmentFiles(manager, info.sessionId))
            if index == 20 {
                // The player lingers: production runs ahead by the window and is frozen there.
                // The player lingers: production runs ahead by the window and is held there
                // (ffmpeg still running, blocked on its unread reports).
                try await Task.sleep(for: .milliseconds(500))
                let ready = await manager.sessions[info.sessionId]?.ready.keys.sorted() ?? []
                let files = await manager.sessions[info.sessionId]?.run?.existing() ?? []
                held = await manager.sessions[info.sessionId]?.producer?.exitCode == nil
                #expect((ready.last ?? 0) <= 20 + 4, "\(ready)")
                #expect((files.last ?? 0) <= 20 + 4 + 3, "\(files)")
            }
            // Segment 0 starts with the audio before the first keyframe; its video at that keyframe.
            if index % 25 == 0 || index == entries.count - 1, let first = try TestMedia.firstVideoTime(file) {
                if offset == nil { offset = first - keyframes[0] }
                if index > 0 { #expect(abs(first - (offset ?? 0) - start) < 0.001, "\(entry.uri) starts at \(first)") }
            }
            start += entry.duration
        }
        #expect(held)
        // Disk bound: behind + current + ahead served segments, plus at most three finished but
        // not yet reported (two reports in the pipe, one blocked) and one being written.
        #expect(mostFiles <= 2 + 1 + 4, "\(mostFiles) segments served at once")
        #expect(largestDisk <= (2 + 1 + 4 + 3 + 1) * largestSegment, "\(largestDisk) bytes for \(largestSegment)-byte segments")
        let whole = try FileManager.default.attributesOfItem(atPath: TestMedia.longClip.path)[.size] as? Int ?? 0
        #expect(largestDisk < whole / 5)

        let playlist = copy.appendingPathComponent("index.m3u8").path
        let mpv = try TestMedia.run("mpv", [
            "--no-config", "--really-quiet", "--vo=null", "--ao=null", "--untimed", "--ao-null-untimed", playlist,
        ])
        #expect(mpv.status == 0, "mpv: \(mpv.output)")
        // ffmpeg reads the same playlist through and finds every video packet, to the end.
        let counted = try TestMedia.run("ffprobe", [
            "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets",
            "-of", "csv=p=0", playlist,
        ])
        #expect(counted.status == 0)
        let packets = counted.output.split(whereSeparator: \.isNewline).compactMap { Int($0.split(separator: ",")[0]) }
        #expect(packets.first == 1200 * 5, "\(counted.output)")
        try? FileManager.default.removeItem(at: copy)
        await TestMedia.cleanUp(manager)
    }

    @Test func aFarSeekRestartsProductionThereAndIsServedAfterA503() async throws {
        let manager = try manager("seek") { $0.segmentWaitTimeout = .zero }
        let info = try await manager.start(fileURL: TestMedia.longClip, strategy: .hlsCopy)
        let entries = playlistEntries(try await manager.response(sessionId: info.sessionId, path: "index.m3u8").text)
        let far = entries.count - 10
        let name = HLSPlaylist.segmentName(far)
        let early = await manager.response(sessionId: info.sessionId, path: name)
        #expect(early.status == 503)
        #expect(early.headers["retry-after"] == "1")
        #expect(await manager.sessions[info.sessionId]?.run?.first == far)
        var served = early
        #expect(await eventually {
            served = await manager.response(sessionId: info.sessionId, path: name)
            return served.status == 200
        })
        let file = TestMedia.freshFolder("seek-copy").appendingPathComponent(name)
        try Data(try await served.collect().bytes).write(to: file)
        // Same timeline as a segment made from the start: its first frame is the playlist's start.
        let zeroFile = file.deletingLastPathComponent().appendingPathComponent("seg00000.ts")
        var zero = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
        #expect(await eventually {
            zero = await manager.response(sessionId: info.sessionId, path: "seg00000.ts")
            return zero.status == 200
        })
        try Data(try await zero.collect().bytes).write(to: zeroFile)
        let offset = try #require(try TestMedia.firstVideoTime(zeroFile))
        let start = entries[..<far].map(\.duration).reduce(0, +)
        let seen = try #require(try TestMedia.firstVideoTime(file))
        #expect(abs(seen - offset - start) < 0.001, "segment \(far) starts at \(seen - offset), playlist says \(start)")
        // Going back to the start restarted production there, and the far segments went.
        #expect(await manager.sessions[info.sessionId]?.run?.first ?? 0 < 5)
        #expect(await eventually { await manager.sessions[info.sessionId]?.ready[far] == nil })
        try? FileManager.default.removeItem(at: file.deletingLastPathComponent())
        await TestMedia.cleanUp(manager)
    }

    @Test func aTranscodeRestartsAtAFarSegmentOnTheSameTimeline() async throws {
        let manager = try manager("transcode-seek") { $0.aheadSegments = 0 }
        let info = try await manager.start(fileURL: TestMedia.clip, strategy: .transcode)
        let folder = TestMedia.freshFolder("transcode-seek-copy")
        var times: [Double] = []
        for name in ["seg00002.ts", "seg00000.ts"] {
            let response = await manager.response(sessionId: info.sessionId, path: name)
            #expect(response.status == 200)
            let file = folder.appendingPathComponent(name)
            try Data(try await response.collect().bytes).write(to: file)
            times.append(try #require(try TestMedia.firstVideoTime(file)))
        }
        #expect(await manager.sessions[info.sessionId]?.runCount ?? 0 >= 2)
        #expect(abs(times[0] - times[1] - 8) < 0.05, "\(times)")
        try? FileManager.default.removeItem(at: folder)
        await TestMedia.cleanUp(manager)
    }
}
