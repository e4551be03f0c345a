import Foundation
import MydiaTestSupport
import Testing
@testable import MydiaTUI

/// The poster stack is opened on demand: the real `mydia-tui` starts without libchafa, GLib, the
/// image decoders or libcurl (the dynamic loader's own list of what it loaded says so), and the
/// libraries open when a poster needs them.
@Suite struct PosterLibrariesTests {
    /// Libraries that only posters (or URLSession) would bring into a `mydia-tui` process.
    static let posterOnly = ["libchafa", "libglib-2.0", "libjpeg", "libpng16", "libwebp", "libcurl", "libFoundationNetworking"]

    @Test func mydiaTUIStartsWithoutThePosterLibraries() throws {
        let p = Process()
        p.executableURL = Programs.bin.appendingPathComponent("mydia-tui")
        p.arguments = ["--help"]
        p.environment = ["LD_DEBUG": "files", "HOME": NSTemporaryDirectory(), "MYDIA_DISCOVERY": "off"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(log.contains("libc.so.6"), "LD_DEBUG=files printed no list")
        let loaded = log.split(separator: "\n").filter { $0.contains("file=") }
        for name in Self.posterOnly {
            #expect(!loaded.contains { $0.contains("file=\(name)") }, "mydia-tui loads \(name) at start")
        }
    }

    @Test func theLibrariesOpenWhenAPosterNeedsThem() throws {
        let image = try DecodedImage.decode(try ChafaEncoderTests.fixture("poster.png"))
        #expect(image.width == 60)
        #expect(ChafaEncoder.symbols(image, columns: 6, rows: 4) != nil)
        #expect((try? PosterLibraries.codecs.get()) != nil)
        #expect((try? PosterLibraries.chafa.get()) != nil)
    }
}
