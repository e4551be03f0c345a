import Foundation

/// Finds and reads an ISO BMFF file's `moov` box (its index) without reading the media: the
/// top-level boxes are walked header by header, seeking past `mdat`, wherever `moov` lies (before
/// the media with `+faststart`, after it otherwise).
enum MP4MovieBox {
    /// Top-level box types an ISO BMFF / QuickTime file may start with.
    static let leadingTypes: Set<String> = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "pdin"]
    /// A `moov` larger than this is not read (a 2-hour film's is a few MB).
    static let maximumSize = 256 << 20
    /// Files with more top-level boxes than this are not walked (fragmented files have thousands).
    static let maximumTopLevelBoxes = 4096

    /// The `moov` box of `file`, as a reader whose bytes are the whole box (header included), and
    /// the file's size.
    /// - Throws: ``MP4BoxReader/Error``: `notISOBMFF` when the file does not start with a top-level
    ///   box type of ISO BMFF; `unsupported` for fragmented files (`moof`); `malformed` when a
    ///   top-level box runs past the end of the file (a truncated download) or no `moov` is found.
    static func read(_ file: URL) throws -> (reader: MP4BoxReader, movie: MP4BoxReader.Box, fileSize: UInt64) {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: file) } catch { throw MP4BoxReader.Error.notISOBMFF }
        defer { try? handle.close() }
        let fileSize = try handle.seekToEnd()
        var offset: UInt64 = 0, index = 0
        var movie: (offset: UInt64, size: UInt64, header: Int)?
        while offset < fileSize {
            guard index < maximumTopLevelBoxes else { throw MP4BoxReader.Error.unsupported("too many top-level boxes") }
            try handle.seek(toOffset: offset)
            let header = [UInt8](try handle.read(upToCount: 16) ?? Data())
            guard header.count >= 8 else {
                throw index == 0 ? MP4BoxReader.Error.notISOBMFF : MP4BoxReader.Error.malformed("the last box is cut short")
            }
            let type = MP4BoxReader.fourCC(header[4..<8])
            if index == 0, !leadingTypes.contains(type) { throw MP4BoxReader.Error.notISOBMFF }
            if type == "moof" { throw MP4BoxReader.Error.unsupported("a fragmented file") }
            let peek = MP4BoxReader(bytes: header)
            let (size, headerLength) = try MP4BoxReader.boxSize(
                size32: UInt64(try peek.uint32(at: 0, in: 0..<header.count)),
                size64: { () throws(MP4BoxReader.Error) -> UInt64 in try peek.uint64(at: 8, in: 0..<header.count) },
                remaining: fileSize - offset)
            if type == "moov", movie == nil { movie = (offset, size, headerLength) }
            offset += size
            index += 1
        }
        guard let movie else { throw MP4BoxReader.Error.malformed("no moov box") }
        guard movie.size <= UInt64(maximumSize) else { throw MP4BoxReader.Error.unsupported("a moov box of \(movie.size) bytes") }
        try handle.seek(toOffset: movie.offset)
        let bytes = [UInt8](try handle.read(upToCount: Int(movie.size)) ?? Data())
        guard bytes.count == Int(movie.size) else { throw MP4BoxReader.Error.malformed("the moov box is cut short") }
        return (MP4BoxReader(bytes: bytes), MP4BoxReader.Box(type: "moov", payload: movie.header..<bytes.count), fileSize)
    }
}
