import Foundation
import MydiaWire
import Testing

@Suite struct WireTimeTests {
    @Test func formatsWholeSecondsInUTC() {
        #expect(WireTime.format(Date(timeIntervalSince1970: 1_893_456_000)) == "2030-01-01T00:00:00Z")
        #expect(WireTime.format(Date(timeIntervalSince1970: 1_893_456_000.75)) == "2030-01-01T00:00:00Z")
    }

    @Test func parsesWithAndWithoutFractions() {
        #expect(WireTime.parse("2030-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(WireTime.parse("2030-01-01T00:00:00.500Z")?.timeIntervalSince1970 == 1_893_456_000.5)
        #expect(WireTime.parse("yesterday") == nil)
    }

    @Test func displayTextLosesControlCharacters() {
        #expect(DisplayText.sanitized("Wohn\u{1b}[2Jzimmer\u{7}\u{9b}") == "Wohn[2Jzimmer")
        #expect(DisplayText.name(String(repeating: "映", count: 70)).count == 64)
        #expect(DisplayText.sanitized("Amélie 東京") == "Amélie 東京")
    }
}
