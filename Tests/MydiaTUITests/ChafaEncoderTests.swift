import Foundation
import MydiaSystem
import Testing
@testable import MydiaTUI

/// The image pipeline on a fixed image: decoding by libpng / libjpeg-turbo / libwebp, symbols
/// from libchafa, and the kitty and sixel sequences checked byte for byte against what the
/// `chafa` command (Debian package `chafa`) prints for the same file.
@Suite struct ChafaEncoderTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static func fixture(_ name: String) throws -> Data { try Data(contentsOf: fixtures.appendingPathComponent(name)) }
    static let chafa = ["/usr/bin/chafa", "/usr/local/bin/chafa"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func decodesPNGAndJPEGToRGBA() throws {
        let png = try DecodedImage.decode(Self.fixture("poster.png"))
        #expect(png.width == 60 && png.height == 90 && png.rgba.count == 60 * 90 * 4)
        #expect(stride(from: 3, to: png.rgba.count, by: 4).allSatisfy { png.rgba[$0] == 255 })  // opaque
        let jpeg = try DecodedImage.decode(Self.fixture("poster.jpg"))
        #expect(jpeg.width == 120 && jpeg.height == 180)
        // Scaled in the decoder while both sides stay at least 50 px: 1/2.
        let half = try DecodedImage.decode(Self.fixture("poster.jpg"), minimumSide: 50)
        #expect(half.width == 60 && half.height == 90)
    }

    @Test func refusesWhatIsNotAnImageWithASentence() throws {
        #expect(throws: DecodedImage.Error.unknownFormat) { try DecodedImage.decode(Data("<html>not found</html>".utf8)) }
        var truncated = try Self.fixture("poster.png")
        truncated = truncated.prefix(60)
        #expect(throws: DecodedImage.Error.self) { try DecodedImage.decode(truncated) }
        var broken = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 0x42, count: 200)
        broken.append(contentsOf: [0xFF, 0xD9])
        do {
            _ = try DecodedImage.decode(broken)
            Issue.record("a damaged JPEG decoded")
        } catch {
            #expect(error.description.hasPrefix("The image could not be decoded"))
        }
    }

    @Test func symbolsAreBlockCharactersInPaletteColours() throws {
        let image = try DecodedImage.decode(Self.fixture("poster.png"))
        let art = try #require(ChafaEncoder.symbols(image, columns: 12, rows: 9))
        guard case .symbols(let columns, let rows, let cells) = art else { Issue.record("not symbols"); return }
        #expect(columns == 12 && rows == 9 && cells.count == 108)
        let blocks = cells.filter { $0.character != " " }
        #expect(blocks.count > 20)
        // Block Elements (U+2580–U+259F) only, besides the space.
        #expect(blocks.allSatisfy { ($0.character.unicodeScalars.first?.value ?? 0) >= 0x2580 && ($0.character.unicodeScalars.first?.value ?? 0) <= 0x259F })
        #expect(cells.allSatisfy { (-1...255).contains($0.foreground) && (-1...255).contains($0.background) })
        #expect(Set(cells.map(\.background)).count > 4)  // the test pattern's colours, not one flat colour
    }

    /// `chafa -f MODE -s 8x6 poster.png` with its defaults (cell size unknown → 8×8 pixels when
    /// not on a terminal); its output ends with a newline after a kitty image.
    func chafaCommand(_ mode: String) throws -> [UInt8] {
        let chafa = try #require(Self.chafa, "the chafa command is missing — scripts/deps.sh installs it")
        let run = try ChildProcess.run(executable: chafa, arguments: ["-f", mode, "-s", "8x6", Self.fixtures.appendingPathComponent("poster.png").path],
                                       environment: ["TERM": "xterm-256color", "PATH": "/usr/bin:/bin"])
        #expect(run.status == 0)
        var out = Array(run.output)
        if out.last == 0x0A { out.removeLast() }
        return out
    }

    @Test(arguments: [GraphicsMode.kitty, .sixel])
    func sequencesMatchTheChafaCommandByteForByte(_ mode: GraphicsMode) throws {
        let image = try DecodedImage.decode(Self.fixture("poster.png"))
        let art = try #require(ChafaEncoder.sequence(image, mode: mode, columns: 8, rows: 6, cellWidth: 8, cellHeight: 8))
        guard case .sequence(let m, 8, 6, let bytes) = art else { Issue.record("not a sequence"); return }
        #expect(m == mode)
        let reference = try chafaCommand(mode.rawValue)
        #expect(bytes.count == reference.count)
        #expect(bytes == reference)
        let head = String(decoding: bytes.prefix(40), as: UTF8.self)
        #expect(mode == .kitty ? head.hasPrefix("\u{1B}_Ga=T,f=32,s=64,v=48,c=8,r=6") : head.hasPrefix("\u{1B}P"))
    }

    @Test func fitKeepsTheAspectInsideTheBox() {
        // A 2:3 poster in a 20×20 box of 8×16 cells: 20 columns would need 15 rows.
        #expect(ChafaEncoder.fit(width: 200, height: 300, columns: 20, rows: 20, cellWidth: 8, cellHeight: 16) == (20, 15))
        #expect(ChafaEncoder.fit(width: 200, height: 300, columns: 20, rows: 6, cellWidth: 8, cellHeight: 16) == (8, 6))
        #expect(ChafaEncoder.fit(width: 0, height: 300, columns: 20, rows: 6, cellWidth: 8, cellHeight: 16) == (0, 0))
    }
}
