import CNcurses
import Foundation

/// Puts a frame's pictures on the terminal for `CursesScreen`, on its thread:
/// - symbols go through curses like text, each cell with a colour pair made on demand (pairs
///   from 64 up, kept while the palette lasts, started over when it runs out);
/// - kitty and sixel sequences are written straight to the terminal after curses' refresh, at
///   their cell (cursor saved and restored, so curses' idea of the cursor stays right). They are
///   sent again only when a picture, its place or the screen size changed; before that, the old
///   ones are removed — kitty placements deleted, lines under a sixel repainted by curses.
final class ImagePainter {
    private struct Placed: Hashable {
        var key: String
        var row: Int
        var column: Int
        var columns: Int
        var rows: Int
        var mode: GraphicsMode
    }

    private var pairs: [Int32: Int16] = [:]
    private var nextPair: Int16 = ImagePainter.firstPair
    private var placed: [Placed] = []
    private var placedSize: (rows: Int, columns: Int) = (0, 0)
    private static let firstPair: Int16 = 64

    /// Draws symbol pictures into curses' buffer (before the refresh).
    func drawSymbols(_ pictures: [FramePicture], window: UnsafeMutablePointer<WINDOW>, rows: Int, columns: Int) {
        let limit = Int16(clamping: min(Int(mydia_color_pairs()), Int(Int16.max)))
        for picture in pictures {
            guard case .symbols(let width, let height, let cells) = picture.art else { continue }
            for y in 0..<height where picture.row + y < rows {
                _ = wmove(window, Int32(picture.row + y), Int32(picture.column))
                for x in 0..<width where picture.column + x < columns {
                    let cell = cells[y * width + x]
                    let packed = Int32(cell.foreground) << 16 | Int32(UInt16(bitPattern: cell.background))
                    var pair = pairs[packed]
                    if pair == nil {
                        if nextPair >= limit {
                            pairs.removeAll()
                            nextPair = Self.firstPair
                        }
                        if nextPair < limit, init_pair(nextPair, cell.foreground, cell.background) != mydia_err() {
                            pair = nextPair
                            pairs[packed] = nextPair
                            nextPair += 1
                        }
                    }
                    _ = wattr_set(window, 0, pair ?? 0, nil)
                    _ = waddstr(window, String(cell.character))
                }
            }
        }
        _ = wattr_set(window, 0, 0, nil)
    }

    /// Before the refresh: which sequence pictures must be (re)sent after it, and the clean-up
    /// for the ones they replace (lines to repaint now, bytes to send first).
    func prepareSequences(_ pictures: [FramePicture], window: UnsafeMutablePointer<WINDOW>, rows: Int, columns: Int) -> (clear: [UInt8], send: [FramePicture]) {
        let wanted = pictures.filter { if case .sequence = $0.art { true } else { false } }
        let now = wanted.map { p -> Placed in
            let mode: GraphicsMode = if case .sequence(let m, _, _, _) = p.art { m } else { .off }
            return Placed(key: p.key, row: p.row, column: p.column, columns: p.art.columns, rows: p.art.rows, mode: mode)
        }
        let resized = placedSize.rows != rows || placedSize.columns != columns
        guard now != placed || resized else { return ([], []) }
        var clear: [UInt8] = []
        if placed.contains(where: { $0.mode == .kitty }) || now.contains(where: { $0.mode == .kitty }) {
            clear += Array("\u{1B}_Ga=d\u{1B}\\".utf8)  // every placement chafa made goes
        }
        for old in placed where old.mode == .sixel {
            _ = wredrawln(window, Int32(old.row), Int32(min(old.rows, max(rows - old.row, 0))))
        }
        placed = now
        placedSize = (rows, columns)
        return (clear, wanted)
    }

    /// Writes all of `bytes` to the terminal. The descriptor may be non-blocking (it shares its
    /// file description with the input curses polls), so a full pty or a slow terminal gives
    /// EAGAIN: wait until it can take more, for at most two seconds in all.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        let deadline = ContinuousClock.now + .seconds(2)
        while offset < bytes.count, ContinuousClock.now < deadline {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0, errno == EAGAIN || errno == EINTR {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
            } else {
                return
            }
        }
    }

    /// The bytes that put `pictures` at their cells, cursor saved before and restored after.
    func sequenceBytes(_ pictures: [FramePicture]) -> [UInt8] {
        var out: [UInt8] = []
        for picture in pictures {
            guard case .sequence(_, _, _, let bytes) = picture.art else { continue }
            out += Array("\u{1B}7\u{1B}[\(picture.row + 1);\(picture.column + 1)H".utf8)
            out += bytes
            out += Array("\u{1B}8".utf8)
        }
        return out
    }
}
