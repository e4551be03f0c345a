import Testing
@testable import MydiaTUI

/// Titles are cut by terminal columns, not characters: CJK takes two columns, accents none.
@Suite struct DisplayWidthTests {
    init() { T.utf8() }

    @Test func cjkCountsTwoColumnsAndCombiningMarksNone() {
        #expect(DisplayWidth.of("東京物語") == 8)
        #expect(DisplayWidth.of("Ame\u{301}lie") == 6)  // e + combining acute
        #expect(DisplayWidth.of("Amélie à Paris") == 14)
    }

    @Test func truncationNeverSplitsAWideCharacterOrAnAccent() {
        #expect(DisplayWidth.truncate("東京物語 (1953)", to: 6) == "東京…")  // 東京 = 4, … = 1; 物 would need 2 more
        #expect(DisplayWidth.of(DisplayWidth.truncate("東京物語 (1953)", to: 6)) <= 6)
        #expect(DisplayWidth.truncate("Ame\u{301}lie à Paris", to: 5) == "Ame\u{301}l…")
        #expect(DisplayWidth.truncate("short", to: 10) == "short")
        #expect(DisplayWidth.truncate("anything", to: 0) == "")
    }

    @Test func fitPadsToExactlyTheWidth() {
        for text in ["東京物語", "Amélie à Paris", "x", ""] {
            for w in 1...12 { #expect(DisplayWidth.of(DisplayWidth.fit(text, to: w)) == w, "\(text) at \(w)") }
        }
    }

    @Test func wrapBreaksAtSpacesAndHardBreaksLongWords() {
        #expect(DisplayWidth.wrap("one two three", to: 7) == ["one two", "three"])
        #expect(DisplayWidth.wrap("東京物語", to: 1).count == 4)  // one wide character per line, no endless loop
        #expect(DisplayWidth.wrap("abcdefgh", to: 3) == ["abc", "def", "gh"])
    }
}
