import Foundation

/// Bounded, big-endian reading of ISO BMFF boxes (MP4, MOV, M4V) held in memory: every box, count
/// and field is checked against the bytes of the box that holds it, so a truncated or corrupted
/// header is an ``Error``, never a crash or a read past the end.
struct MP4BoxReader {
    /// Why a container's index could not be used (the caller then scans the file with ffmpeg).
    enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The file does not start like an ISO BMFF file.
        case notISOBMFF
        /// A box or table is cut short, overlaps its parent or contradicts another.
        case malformed(String)
        /// A valid file whose layout this reader does not reproduce exactly (fragmented, several
        /// edits, no video track…).
        case unsupported(String)

        var description: String {
            switch self {
            case .notISOBMFF: "The file is not an MP4 or MOV file."
            case .malformed(let what): "The file's MP4 index is damaged (\(what))."
            case .unsupported(let what): "The file's MP4 index has a layout that is read by ffmpeg instead (\(what))."
            }
        }
    }

    /// A box: its four-character type and where its payload (after the header) lies in ``bytes``.
    struct Box: Equatable {
        let type: String
        let payload: Range<Int>
    }

    /// The bytes the boxes are read from (for a file, its `moov` box).
    let bytes: [UInt8]

    /// The boxes laid end to end in `range`; each must fit inside it.
    func boxes(in range: Range<Int>) throws(Error) -> [Box] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { throw .malformed("a box lies outside its parent") }
        var boxes: [Box] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard range.upperBound - offset >= 8 else { throw .malformed("a box header is cut short") }
            let (size, header) = try Self.boxSize(
                size32: UInt64(try uint32(at: offset, in: range)),
                size64: { () throws(Error) -> UInt64 in try uint64(at: offset + 8, in: range) },
                remaining: UInt64(range.upperBound - offset))
            let end = offset + Int(size)
            boxes.append(Box(type: Self.fourCC(bytes[(offset + 4)..<(offset + 8)]), payload: (offset + header)..<end))
            offset = end
        }
        return boxes
    }

    /// The first box of `type` inside `parent`, if any.
    func child(_ type: String, of parent: Box) throws(Error) -> Box? {
        try boxes(in: parent.payload).first { $0.type == type }
    }

    /// The first box of `type` inside `parent`; missing is malformed.
    func required(_ type: String, of parent: Box) throws(Error) -> Box {
        guard let box = try child(type, of: parent) else { throw .malformed("no \(type) box in \(parent.type)") }
        return box
    }

    /// A box's size and header length from its 32-bit size field (0: to the end; 1: a 64-bit size
    /// follows), checked against the `remaining` bytes of its parent.
    static func boxSize(size32: UInt64, size64: () throws(Error) -> UInt64, remaining: UInt64) throws(Error) -> (size: UInt64, header: Int) {
        let (size, header): (UInt64, Int) =
            switch size32 {
            case 0: (remaining, 8)
            case 1: (try size64(), 16)
            default: (size32, 8)
            }
        guard size >= UInt64(header), size <= remaining else { throw .malformed("a box is larger than what holds it") }
        return (size, header)
    }

    static func fourCC(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    // MARK: Fields, each checked against the range it must lie in.

    func uint8(at offset: Int, in range: Range<Int>) throws(Error) -> UInt8 {
        try check(offset, 1, range)
        return bytes[offset]
    }

    func uint32(at offset: Int, in range: Range<Int>) throws(Error) -> UInt32 {
        try check(offset, 4, range)
        return bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    func int32(at offset: Int, in range: Range<Int>) throws(Error) -> Int32 {
        Int32(bitPattern: try uint32(at: offset, in: range))
    }

    func uint64(at offset: Int, in range: Range<Int>) throws(Error) -> UInt64 {
        try check(offset, 8, range)
        return bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    func int64(at offset: Int, in range: Range<Int>) throws(Error) -> Int64 {
        Int64(bitPattern: try uint64(at: offset, in: range))
    }

    /// The entry count of a full box's table (version, flags, count, then `count` entries of
    /// `entrySize` bytes, starting at `skip` bytes after the count): checked to fit in the box.
    func tableCount(_ box: Box, entrySize: Int, skip: Int = 0) throws(Error) -> Int {
        let count = Int(try uint32(at: box.payload.lowerBound + 4, in: box.payload))
        let available = box.payload.count - 8 - skip
        guard available >= 0, count <= available / entrySize else { throw .malformed("the \(box.type) table is longer than its box") }
        return count
    }

    private func check(_ offset: Int, _ length: Int, _ range: Range<Int>) throws(Error) {
        guard offset >= range.lowerBound, offset <= range.upperBound - length, range.upperBound <= bytes.count else {
            throw .malformed("a field lies past the end of its box")
        }
    }
}
