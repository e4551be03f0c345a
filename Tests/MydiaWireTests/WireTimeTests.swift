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

    @Test func agreesWithFoundationAcrossTheCalendar() throws {
        // Foundation's ISO 8601 style is the reference here (the hand-written code is there to keep
        // ICU out of the client): leap years, centuries, before 1970, far future.
        let reference = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        var generator = SystemRandomNumberGenerator()
        var samples: [Int] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, -2_208_988_800, 253_402_300_799]
        for _ in 0..<2000 { samples.append(Int.random(in: -2_208_988_800...253_402_300_799, using: &generator)) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: Double(seconds))
            let text = WireTime.format(date)
            #expect(text == reference.format(date), "\(seconds)")
            #expect(WireTime.parse(text) == date, "\(text)")
        }
    }

    @Test func parsesOffsetsAndLowercaseSeparators() {
        let newYear = Date(timeIntervalSince1970: 1_893_456_000)
        #expect(WireTime.parse("2030-01-01T01:00:00+01:00") == newYear)
        #expect(WireTime.parse("2029-12-31T19:30:00-0430") == newYear)
        #expect(WireTime.parse("2030-01-01t00:00:00z") == newYear)
        #expect(WireTime.parse("2030-01-01T00:00:00.25+00:00")?.timeIntervalSince1970 == 1_893_456_000.25)
        #expect(WireTime.parse("2000-02-29T12:00:00Z") == Date(timeIntervalSince1970: 951_825_600))
        #expect(WireTime.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
        #expect(WireTime.formatMilliseconds(Date(timeIntervalSince1970: 1_893_456_000.0625)) == "2030-01-01T00:00:00.062Z")
        #expect(WireTime.formatMilliseconds(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
    }

    @Test func refusesWhatIsNotAnRFC3339Time() {
        for text in ["", "2030-01-01", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2030-1-01T00:00:00Z",
                     "2030-13-01T00:00:00Z", "2030-00-01T00:00:00Z", "2030-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
                     "2030-04-31T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:60:00Z", "2030-01-01T00:00:60Z",
                     "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00Zjunk", "2030-01-01T00:00:00+1:00",
                     "2030-01-01T00:00:00+25:00", "+2030-01-01T00:00:00Z", "２０３０-01-01T00:00:00Z"] {
            #expect(WireTime.parse(text) == nil, "\(text)")
        }
    }

    @Test func displayTextLosesControlCharacters() {
        #expect(DisplayText.sanitized("Wohn\u{1b}[2Jzimmer\u{7}\u{9b}") == "Wohn[2Jzimmer")
        #expect(DisplayText.name(String(repeating: "映", count: 70)).count == 64)
        #expect(DisplayText.sanitized("Amélie 東京") == "Amélie 東京")
    }
}
