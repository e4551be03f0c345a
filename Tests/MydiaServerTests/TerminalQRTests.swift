import MydiaServer
import Testing

/// QR codes drawn with half blocks (libqrencode): the right module grid, a light quiet zone, two
/// module rows per line.
@Suite struct TerminalQRTests {
    @Test func modulesHaveTheThreeFinderPatterns() throws {
        let grid = try TerminalQR.modules("hello")
        #expect(grid.count == 21 && grid.allSatisfy { $0.count == 21 })  // version 1
        let n = grid.count
        for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for i in 0..<7 {
                // The finder's dark outer ring …
                #expect(grid[oy][ox + i] && grid[oy + 6][ox + i] && grid[oy + i][ox] && grid[oy + i][ox + 6])
            }
            // … its light inner ring and dark centre.
            #expect(!grid[oy + 1][ox + 1] && !grid[oy + 1][ox + 5] && grid[oy + 3][ox + 3])
        }
    }

    @Test func renderDrawsLightModulesAndAQuietZoneInHalfBlocks() throws {
        let uri = "otpauth://totp/Mydia:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Mydia&algorithm=SHA1&digits=6&period=30"
        let grid = try TerminalQR.modules(uri)
        let lines = try TerminalQR.render(uri).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let size = grid.count + 2 * TerminalQR.quietZone
        #expect(lines.count == (size + 1) / 2)
        #expect(lines.allSatisfy { $0.count == size })
        #expect(lines.allSatisfy { $0.allSatisfy { " ▀▄█".contains($0) } })
        #expect(lines.first?.allSatisfy { $0 == "█" } == true)
        // Line 1 holds module rows 2 and 3: the top ring of the finder at x = 0…6 is dark over dark.
        let row = Array(lines[1])
        let q = TerminalQR.quietZone
        #expect(row[q..<(q + 7)].allSatisfy { $0 == " " || $0 == "▄" })
        #expect(row[0] == "█" && row[size - 1] == "█")
        // Every character agrees with the two module rows it draws.
        for (lineIndex, line) in lines.enumerated() {
            for (x, character) in line.enumerated() {
                let top = Self.light(grid, x - q, 2 * lineIndex - q), bottom = Self.light(grid, x - q, 2 * lineIndex + 1 - q)
                let expected: Character = top ? (bottom ? "█" : "▀") : (bottom ? "▄" : " ")
                #expect(character == expected)
            }
        }
    }

    @Test func textTooLongForAnyQRCodeIsAnError() {
        #expect(throws: TerminalQR.Error.tooLong) { try TerminalQR.render(String(repeating: "x", count: 8000)) }
    }

    static func light(_ grid: [[Bool]], _ x: Int, _ y: Int) -> Bool {
        guard grid.indices.contains(y), grid.indices.contains(x) else { return true }
        return !grid[y][x]
    }
}
