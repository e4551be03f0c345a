import CNcurses
import Testing

/// The shim must reproduce ncurses' macros exactly; a wrong bit here shows as wrong colours or a
/// missed resize in the UI, far from the cause. None of these start curses (no terminal needed).
@Suite struct CursesShimTests {
    @Test func colorPairMatchesTheMacroLayout() {
        // COLOR_PAIR(n) = n << 8 in ncurses' attribute layout (NCURSES_ATTR_SHIFT = 8).
        #expect(mydia_color_pair(3) == attr_t(3) << 8)
        #expect(mydia_pair_number(mydia_color_pair(42)) == 42)
        #expect(mydia_pair_number(mydia_color_pair(7) | mydia_a_bold()) == 7)
    }

    @Test func attributesAreDistinctBits() {
        let attrs = [mydia_a_bold(), mydia_a_reverse(), mydia_a_dim(), mydia_a_underline()]
        #expect(Set(attrs).count == attrs.count)
        #expect(attrs.allSatisfy { $0 != 0 && $0 & mydia_color_pair(255) == 0 })
        #expect(mydia_a_normal() == 0)
    }

    @Test func keyCodesAreNcursesOwn() {
        #expect(mydia_key_resize() == KEY_RESIZE)
        #expect(mydia_key_f(1) == KEY_F0 + 1)
        #expect(mydia_ctrl(Int32(UInt8(ascii: "c"))) == 3)
    }

    @Test func wideCharacterWidthFollowsTheLocale() {
        setlocale(LC_ALL, "C.UTF-8")
        #expect(mydia_wcwidth(wchar_t(UInt32(("a" as Unicode.Scalar).value))) == 1)
        #expect(mydia_wcwidth(wchar_t(UInt32(("映" as Unicode.Scalar).value))) == 2)
        #expect(mydia_wcwidth(wchar_t(0x0301)) == 0)  // combining acute accent
    }
}
