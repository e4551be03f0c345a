internal import CQRencode
#if canImport(Glibc)
import Glibc
#endif

/// QR codes drawn in a terminal with half blocks (`▀ ▄ █`), two module rows per text line, from
/// libqrencode: the TOTP secret of `mydia-server user add --totp` and the pairing QR of `claim`.
///
/// Like `qrencode -t UTF8`, light modules (and the quiet zone) are drawn and dark ones left blank,
/// so on the usual light-on-dark terminal the code reads dark on light, as scanners expect.
public enum TerminalQR {
    /// Why no QR code could be made.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The text does not fit in the largest QR code.
        case tooLong

        /// One plain sentence.
        public var description: String {
            switch self {
            case .tooLong: "The text is too long for a QR code."
            }
        }
    }

    /// Modules of quiet zone drawn around the code.
    public static let quietZone = 2

    /// The code's modules, row by row, `true` for dark (no quiet zone), at error correction level M.
    public static func modules(_ text: String) throws(Error) -> [[Bool]] {
        guard let code = text.withCString({ QRcode_encodeString($0, 0, QR_ECLEVEL_M, QR_MODE_8, 1) }) else {
            throw .tooLong
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        guard let data = code.pointee.data else { throw .tooLong }
        return (0..<width).map { y in (0..<width).map { x in (data[y * width + x] & 1) == 1 } }
    }

    /// The code as text lines (each ending in a newline), quiet zone included.
    public static func render(_ text: String) throws(Error) -> String {
        let inner = try modules(text)
        let size = inner.count + 2 * quietZone
        func light(_ x: Int, _ y: Int) -> Bool {
            let (ix, iy) = (x - quietZone, y - quietZone)
            guard inner.indices.contains(iy), inner.indices.contains(ix) else { return true }
            return !inner[iy][ix]
        }
        var out = ""
        for y in stride(from: 0, to: size, by: 2) {
            for x in 0..<size {
                // The row below the last one is quiet zone too.
                switch (light(x, y), y + 1 < size ? light(x, y + 1) : true) {
                case (true, true): out += "█"
                case (true, false): out += "▀"
                case (false, true): out += "▄"
                case (false, false): out += " "
                }
            }
            out += "\n"
        }
        return out
    }
}
