import Foundation

/// The timing tables of an MP4/MOV file's video track, read from its `moov` box, and the keyframe
/// presentation times ffmpeg's mov demuxer derives from them — so the keyframe index of a
/// non-fragmented MP4 costs one read of its index, not a pass over the whole file (PROTOCOL.md §14.4).
///
/// The times reproduce libavformat's (`mov_build_index` and `mov_fix_index`, ffmpeg 5.1):
/// decode times from `stts`, composition offsets from `ctts` read as signed whatever the box's
/// version, sync samples from `stss` (none: every sample). With an edit list of an optional empty
/// edit `E` and one edit starting at media time `M`, ffmpeg lays the samples from the first one on at
/// `E` and then moves the whole video track back so that its earliest presented frame is at `E`:
/// `pts = E + cts - min(cts)`. Without an edit list, `pts = cts`. Any layout whose outcome depends on
/// more of ffmpeg than that (frames before the edit, several edits, keyframes past the edit's end,
/// `stps`, random-access sample groups) is ``MP4BoxReader/Error/unsupported(_:)``.
struct MP4SampleTable {
    /// `count` consecutive samples sharing `value` (an `stts` delta or a `ctts` offset).
    struct Run: Equatable {
        let count: Int
        let value: Int64
    }

    /// One `elst` entry; `duration` in the movie's timescale, `mediaTime` in the track's (-1: empty).
    struct Edit: Equatable {
        let duration: Int64
        let mediaTime: Int64
        /// 16.16 fixed point; 1.0 is `0x10000`.
        let rate: Int32
    }

    /// Ticks per second of the movie (`mvhd`): edit durations are in it.
    let movieTimescale: Int64
    /// Ticks per second of the video track (`mdhd`).
    let timescale: Int64
    /// Number of samples (`stsz`).
    let sampleCount: Int
    let decodeDeltas: [Run]
    /// Empty when the track has no `ctts`.
    let compositionOffsets: [Run]
    /// 1-based sample numbers, ascending; `nil` when every sample is a keyframe (no `stss`).
    let syncSamples: [Int]?
    let edits: [Edit]
    /// The largest chunk offset (`stco`/`co64`): media past the end of the file means a truncated file.
    let lastChunkOffset: UInt64

    /// More samples than this (a week at 60 fps) are not expanded.
    static let maximumSamples = 50_000_000
    /// ffmpeg drops a `ctts` with offsets this large as invalid.
    static let maximumCompositionOffset: Int64 = 1 << 28

    typealias Error = MP4BoxReader.Error

    /// Reads the tables of the only video track (`hdlr` = `vide`) of `movie`.
    init(reader: MP4BoxReader, movie: MP4BoxReader.Box) throws(Error) {
        let children = try reader.boxes(in: movie.payload)
        if children.contains(where: { $0.type == "mvex" }) { throw .unsupported("a fragmented file") }
        guard let mvhd = children.first(where: { $0.type == "mvhd" }) else { throw .malformed("no mvhd box") }
        movieTimescale = Int64(try Self.timescale(reader, mvhd))
        var videoTracks: [MP4BoxReader.Box] = []
        for trak in children where trak.type == "trak" {
            let mdia = try reader.required("mdia", of: trak)
            let hdlr = try reader.required("hdlr", of: mdia)
            if try reader.uint32(at: hdlr.payload.lowerBound + 8, in: hdlr.payload) == 0x7669_6465 {  // "vide"
                videoTracks.append(trak)
            }
        }
        guard videoTracks.count == 1, let trak = videoTracks.first else {
            throw .unsupported("\(videoTracks.count) video tracks")
        }
        let mdia = try reader.required("mdia", of: trak)
        timescale = Int64(try Self.timescale(reader, try reader.required("mdhd", of: mdia)))
        guard movieTimescale > 0, timescale > 0 else { throw .malformed("a zero timescale") }
        let stbl = try reader.required("stbl", of: try reader.required("minf", of: mdia))
        let tables = try reader.boxes(in: stbl.payload)
        func table(_ type: String) -> MP4BoxReader.Box? { tables.first { $0.type == type } }

        if table("stps") != nil { throw .unsupported("partial sync samples") }
        for group in tables where group.type == "sbgp" {
            let kind = try reader.uint32(at: group.payload.lowerBound + 4, in: group.payload)
            if kind == 0x7261_7020 || kind == 0x7379_6E63 { throw .unsupported("random-access sample groups") }  // "rap ", "sync"
        }
        guard let stsz = table("stsz") else { throw .unsupported("no stsz box") }
        let fixedSize = try reader.uint32(at: stsz.payload.lowerBound + 4, in: stsz.payload)
        let count = Int(try reader.uint32(at: stsz.payload.lowerBound + 8, in: stsz.payload))
        if fixedSize == 0, count > (stsz.payload.count - 12) / 4 { throw .malformed("the stsz table is longer than its box") }
        guard count > 0, count <= Self.maximumSamples else { throw .unsupported("\(count) samples") }
        sampleCount = count

        guard let stts = table("stts") else { throw .malformed("no stts box") }
        decodeDeltas = try Self.runs(reader, stts, signed: false)
        guard decodeDeltas.reduce(0, { $0 + $1.count }) == count else { throw .unsupported("stts does not cover every sample") }
        guard decodeDeltas.allSatisfy({ $0.value <= Int64(Int32.max) }) else { throw .unsupported("a huge decode delta") }

        if let ctts = table("ctts") {
            let runs = try Self.runs(reader, ctts, signed: true)
            if !runs.isEmpty {
                guard runs.reduce(0, { $0 + $1.count }) == count else { throw .unsupported("ctts does not cover every sample") }
                guard runs.allSatisfy({ abs($0.value) < Self.maximumCompositionOffset }) else {
                    throw .unsupported("a composition offset ffmpeg ignores")
                }
            }
            compositionOffsets = runs
        } else {
            compositionOffsets = []
        }

        if let stss = table("stss") {
            let entries = try reader.tableCount(stss, entrySize: 4)
            guard entries > 0 else { throw .unsupported("an empty stss") }
            var samples: [Int] = []
            samples.reserveCapacity(entries)
            for index in 0..<entries {
                let sample = Int(try reader.uint32(at: stss.payload.lowerBound + 8 + 4 * index, in: stss.payload))
                guard sample >= 1, sample <= count, sample > (samples.last ?? 0) else { throw .malformed("stss is out of order") }
                samples.append(sample)
            }
            syncSamples = samples
        } else {
            syncSamples = nil
        }

        if let stco = table("stco") {
            lastChunkOffset = try Self.largestOffset(reader, stco, entrySize: 4)
        } else if let co64 = table("co64") {
            lastChunkOffset = try Self.largestOffset(reader, co64, entrySize: 8)
        } else {
            throw .malformed("no chunk offsets")
        }

        if let edts = try reader.child("edts", of: trak), let elst = try reader.child("elst", of: edts) {
            let version = try reader.uint8(at: elst.payload.lowerBound, in: elst.payload)
            let size = version == 1 ? 20 : 12
            let entries = try reader.tableCount(elst, entrySize: size)
            var edits: [Edit] = []
            for index in 0..<entries {
                let at = elst.payload.lowerBound + 8 + size * index
                let duration = version == 1 ? try reader.int64(at: at, in: elst.payload) : Int64(try reader.uint32(at: at, in: elst.payload))
                let mediaTime = version == 1 ? try reader.int64(at: at + 8, in: elst.payload) : Int64(try reader.int32(at: at + 4, in: elst.payload))
                edits.append(Edit(duration: duration, mediaTime: mediaTime, rate: try reader.int32(at: at + size - 4, in: elst.payload)))
            }
            self.edits = edits
        } else {
            edits = []
        }
    }

    /// The keyframes' presentation times in seconds, ascending, as ffmpeg reports them.
    func keyframeTimes() throws(Error) -> [Double] {
        let cut = try editWindow()
        var times: [Int64] = []
        var minimum = Int64.max
        var dts: Int64 = 0
        var deltas = RunCursor(decodeDeltas), offsets = RunCursor(compositionOffsets)
        var nextSync = 0, endingKeyframes = 0
        for sample in 0..<sampleCount {
            let delta = deltas.next(), cts = dts + offsets.next()
            var isKey = syncSamples == nil
            if let sync = syncSamples, nextSync < sync.count, sync[nextSync] == sample + 1 {
                isKey = true
                nextSync += 1
            }
            if let cut {
                guard sample > 0 || isKey else { throw .unsupported("the first sample is not a keyframe") }
                guard cts >= cut.start else { throw .unsupported("frames before the edit") }
                guard !isKey || sample == 0 || cts > cut.start else { throw .unsupported("a keyframe at the edit's start") }
                if cts < cut.end {
                    minimum = min(minimum, cts)
                } else if isKey {
                    throw .unsupported("a keyframe after the edit's end")
                }
                if isKey { times.append(cts) }
                // mov_fix_index stops after the first keyframe that reaches the edit's end (the
                // second one when there are composition offsets: trailing B-frames may follow it).
                let duration = sample + 1 < sampleCount ? delta : cut.end - cut.start
                if isKey, cts + duration >= cut.end {
                    endingKeyframes += 1
                    if endingKeyframes == (compositionOffsets.isEmpty ? 1 : 2) { break }
                }
            } else if isKey {
                times.append(cts)
            }
            dts += delta
        }
        guard !times.isEmpty else { throw .unsupported("no keyframes") }
        var shift: Int64 = 0
        if let cut {
            guard minimum != .max else { throw .unsupported("no frame inside the edit") }
            shift = cut.empty - max(0, minimum)
        }
        let scale = Double(timescale)
        return times.map { Double($0 + shift) / scale }.sorted()
    }

    /// The edit list as (empty lead-in, media start, media end) in track ticks, `nil` without one.
    private func editWindow() throws(Error) -> (empty: Int64, start: Int64, end: Int64)? {
        guard var edit = edits.first else { return nil }
        var empty: Int64 = 0
        if edit.mediaTime == -1 {
            empty = try rescale(edit.duration)
            guard edits.count == 2 else { throw .unsupported("\(edits.count) edits") }
            edit = edits[1]
        } else if edits.count != 1 {
            throw .unsupported("\(edits.count) edits")
        }
        guard edit.mediaTime >= 0, edit.rate == 0x10000, edit.duration > 0 else { throw .unsupported("an unusual edit") }
        let length = try rescale(edit.duration)
        guard edit.mediaTime <= Int64.max - length else { throw .malformed("an edit past any time") }
        return (empty, edit.mediaTime, edit.mediaTime + length)
    }

    /// A movie-timescale duration in track ticks, rounded like `av_rescale`.
    private func rescale(_ duration: Int64) throws(Error) -> Int64 {
        guard duration >= 0 else { throw .malformed("a negative edit duration") }
        let (product, overflow) = duration.multipliedReportingOverflow(by: timescale)
        guard !overflow, product <= Int64.max - movieTimescale / 2 else { throw .unsupported("an edit too long to convert") }
        return (product + movieTimescale / 2) / movieTimescale
    }

    /// The `timescale` field of an `mvhd` or `mdhd` box (its offset depends on the version).
    private static func timescale(_ reader: MP4BoxReader, _ box: MP4BoxReader.Box) throws(Error) -> UInt32 {
        let version = try reader.uint8(at: box.payload.lowerBound, in: box.payload)
        return try reader.uint32(at: box.payload.lowerBound + (version == 1 ? 20 : 12), in: box.payload)
    }

    /// The largest entry of an `stco` (4-byte) or `co64` (8-byte) table.
    private static func largestOffset(_ reader: MP4BoxReader, _ box: MP4BoxReader.Box, entrySize: Int) throws(Error) -> UInt64 {
        var largest: UInt64 = 0
        for index in 0..<(try reader.tableCount(box, entrySize: entrySize)) {
            let at = box.payload.lowerBound + 8 + entrySize * index
            largest = max(largest, entrySize == 8 ? try reader.uint64(at: at, in: box.payload) : UInt64(try reader.uint32(at: at, in: box.payload)))
        }
        return largest
    }

    /// An `stts` or `ctts` table. ffmpeg reads `ctts` offsets as signed in both versions.
    private static func runs(_ reader: MP4BoxReader, _ box: MP4BoxReader.Box, signed: Bool) throws(Error) -> [Run] {
        let entries = try reader.tableCount(box, entrySize: 8)
        var runs: [Run] = []
        runs.reserveCapacity(entries)
        for index in 0..<entries {
            let at = box.payload.lowerBound + 8 + 8 * index
            let count = Int(try reader.uint32(at: at, in: box.payload))
            let value = signed ? Int64(try reader.int32(at: at + 4, in: box.payload)) : Int64(try reader.uint32(at: at + 4, in: box.payload))
            if count > 0 { runs.append(Run(count: count, value: value)) }
        }
        return runs
    }
}

/// Walks run-length-coded values sample by sample (the runs must cover every sample asked for;
/// with no runs at all every value is 0).
private struct RunCursor {
    let runs: [MP4SampleTable.Run]
    var index = 0, used = 0

    init(_ runs: [MP4SampleTable.Run]) { self.runs = runs }

    mutating func next() -> Int64 {
        guard index < runs.count else { return 0 }
        let value = runs[index].value
        used += 1
        if used == runs[index].count {
            index += 1
            used = 0
        }
        return value
    }
}
