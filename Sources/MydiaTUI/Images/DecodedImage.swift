import CImageCodecs
public import Foundation

/// A picture decoded to 8-bit RGBA (straight alpha), rows top to bottom, no padding. Decoding is
/// libjpeg-turbo's, libpng's or libwebp's (chosen by the file's signature), never our own; the
/// libraries are opened on the first decode (`PosterLibraries`).
public struct DecodedImage: Sendable {
    /// Why bytes could not be decoded.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// Not a JPEG, PNG or WebP file.
        case unknownFormat
        /// The decoder refused the file (its own words).
        case undecodable(String)
        /// The decoder libraries could not be opened (the loader's words).
        case decodersUnavailable(String)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .unknownFormat: "The image is not a JPEG, PNG or WebP file."
            case .undecodable(let why): "The image could not be decoded (\(why))."
            case .decodersUnavailable(let why):
                "Posters cannot be shown: the image decoders could not be loaded (\(why)) — install libjpeg62-turbo, libpng16-16 and libwebp7."
            }
        }
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 4` bytes.
    public let rgba: [UInt8]

    /// An image from pixels already in RGBA order.
    public init(width: Int, height: Int, rgba: [UInt8]) {
        self.width = width
        self.height = height
        self.rgba = rgba
    }

    /// The container a file's first bytes name.
    enum Format { case jpeg, png, webp }

    static func sniff(_ bytes: some Collection<UInt8>) -> Format? {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.count == 12, head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WEBP".utf8) { return .webp }
        return nil
    }

    /// Decodes a JPEG, PNG or WebP file held in memory. Call it off the UI's event loop.
    /// - Parameter minimumSide: a JPEG is scaled down in the decoder (by 1/2, 1/4 or 1/8) while
    ///   both sides stay at least this large; 0 keeps the full size.
    public static func decode(_ data: Data, minimumSide: Int = 0) throws(Error) -> DecodedImage {
        guard let format = sniff(data) else { throw .unknownFormat }
        let codecs: mydia_codecs
        switch PosterLibraries.codecs {
        case .success(let table): codecs = table
        case .failure(let unavailable): throw .decodersUnavailable(unavailable.reason)
        }
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status: Int32 = withUnsafePointer(to: codecs) { api in
            data.withUnsafeBytes { raw -> Int32 in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
                return message.withUnsafeMutableBufferPointer { m in
                    switch format {
                    case .jpeg: mydia_decode_jpeg(api, base, raw.count, Int32(clamping: minimumSide), &pixels, &width, &height, m.baseAddress, m.count)
                    case .png: mydia_decode_png(api, base, raw.count, &pixels, &width, &height, m.baseAddress, m.count)
                    case .webp: mydia_decode_webp(api, base, raw.count, &pixels, &width, &height, m.baseAddress, m.count)
                    }
                }
            }
        }
        guard status == 0, let pixels, width > 0, height > 0 else {
            let why = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .undecodable(why.isEmpty ? "empty or damaged file" : why)
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * 4
        return DecodedImage(width: Int(width), height: Int(height), rgba: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}
