import Foundation
import Synchronization
import Testing
@testable import MydiaTUI

/// Pictures through the real curses layer on a pseudo-terminal: symbols are drawn by curses with
/// colour pairs; a sixel or kitty sequence is written after curses' output at its cell (cursor
/// saved and restored), once — not again while nothing changed — and when the picture goes, a
/// kitty placement is deleted.
@Suite(.serialized) struct ImagePainterTests {
    /// A pty whose master side a thread drains into `output`.
    final class PTY: Sendable {
        let master: Int32
        let slave: Int32
        private let output = Mutex([UInt8]())

        init(rows: Int, columns: Int) throws {
            var m: Int32 = 0, s: Int32 = 0
            var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
            guard openpty(&m, &s, nil, nil, &size) == 0 else { throw POSIXError(.EIO) }
            master = m
            slave = s
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(master, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    output.withLock { $0 += buffer[0..<n] }
                }
            }
        }

        /// What arrived since the last call, once `done` holds for it or nothing more came for
        /// 300 ms (at most 5 s; a loaded machine can be slow to drain a pty).
        func take(until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
            var seen = -1
            for _ in 0..<50 {
                usleep(100_000)
                let (count, ok) = output.withLock { ($0.count, done($0)) }
                if ok { break }
                if count == seen { usleep(200_000); if output.withLock({ $0.count }) == count { break } }
                seen = count
            }
            return output.withLock { o in defer { o = [] }; return o }
        }

        func close() {
            Glibc.close(slave)
            Glibc.close(master)
        }
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool { find(hay, needle) != nil }

    static func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        return (0...(hay.count - needle.count)).first { hay[$0] == needle[0] && Array(hay[$0..<($0 + needle.count)]) == needle }
    }

    /// Printable, for messages.
    static func show(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{1B}", with: "⎋")
    }

    static func image() throws -> DecodedImage {
        try DecodedImage.decode(Data(contentsOf: ChafaEncoderTests.fixtures.appendingPathComponent("poster.png")))
    }

    static func count(_ hay: [UInt8], _ needle: [UInt8]) -> Int {
        guard !needle.isEmpty, hay.count >= needle.count else { return 0 }
        return (0...(hay.count - needle.count)).filter { hay[$0] == needle[0] && Array(hay[$0..<($0 + needle.count)]) == needle }.count
    }

    /// The whole stream is checked at the end (a pty under load hands the reader a large write
    /// in pieces, some only after the next write; strace shows each sequence leaves in one write).
    @Test(arguments: [GraphicsMode.sixel, .kitty])
    func sequencesAreWrittenOnceAtTheirCell(_ mode: GraphicsMode) throws {
        setlocale(LC_ALL, "C.UTF-8")
        let pty = try PTY(rows: 24, columns: 80)
        defer { pty.close() }
        let screen = try CursesScreen(input: pty.slave, output: pty.slave, theme: .dark, environment: ["TERM": "xterm-256color"])
        let art = try #require(ChafaEncoder.sequence(try Self.image(), mode: mode, columns: 8, rows: 6, cellWidth: 8, cellHeight: 8))
        guard case .sequence(_, _, _, let bytes) = art else { Issue.record("not a sequence"); return }
        var frame = Frame(rows: 24, columns: 80)
        frame.set(0, Line([Span("title")]))
        frame.pictures = [FramePicture(row: 3, column: 40, art: art, key: "/p/1")]
        _ = pty.take()

        screen.draw(frame)
        screen.draw(frame)  // unchanged: not sent again
        frame.set(1, Line([Span("a line of text under the title")]))
        screen.draw(frame)  // only text changed: not sent again
        frame.pictures[0].column = 50
        screen.draw(frame)  // moved: sent again there
        frame.pictures = []
        screen.draw(frame)  // gone
        screen.end()
        let all = pty.take { Self.contains($0, Array("\u{1B}[?1049l".utf8)) || Self.contains($0, Array("\u{1B}[?1l".utf8)) }

        let first = Array("\u{1B}7\u{1B}[4;41H".utf8) + bytes + Array("\u{1B}8".utf8)
        let second = Array("\u{1B}7\u{1B}[4;51H".utf8) + bytes + Array("\u{1B}8".utf8)
        #expect(Self.count(all, first) == 1, "placed once at row 4, column 41, cursor restored")
        #expect(Self.count(all, second) == 1, "placed once more after the move")
        #expect(Self.count(all, Array(bytes.prefix(24))) == 2, "sent exactly twice")
        #expect(Self.contains(all, Array("a line of text under the title".utf8)))
        if mode == .kitty {
            // Deleted before each placement and when it went: three times.
            #expect(Self.count(all, Array("\u{1B}_Ga=d\u{1B}\\".utf8)) == 3)
        }
    }

    @Test func symbolsAreDrawnByCursesInColour() throws {
        setlocale(LC_ALL, "C.UTF-8")
        let pty = try PTY(rows: 24, columns: 80)
        defer { pty.close() }
        let screen = try CursesScreen(input: pty.slave, output: pty.slave, theme: .dark, environment: ["TERM": "xterm-256color"])
        defer { screen.end() }
        let art = try #require(ChafaEncoder.symbols(try Self.image(), columns: 12, rows: 9))
        var frame = Frame(rows: 24, columns: 80)
        frame.pictures = [FramePicture(row: 2, column: 30, art: art, key: "/p/1")]
        _ = pty.take()
        screen.draw(frame)
        let text = String(decoding: pty.take(), as: UTF8.self)
        #expect(text.unicodeScalars.filter { (0x2580...0x259F).contains($0.value) }.count > 20)
        #expect(text.contains("38;5;") || text.contains("48;5;"))
    }
}
