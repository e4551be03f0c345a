import MydiaStreaming
import Testing

@Suite struct ByteRangeTests {
    @Test func parsesTheThreeSpecForms() {
        #expect(ByteRange.parseHeader("bytes=0-499") == [.closed(first: 0, last: 499)])
        #expect(ByteRange.parseHeader("bytes=500-") == [.from(first: 500)])
        #expect(ByteRange.parseHeader("bytes=-200") == [.suffix(length: 200)])
    }

    @Test func parsesMultipleRangesWithWhitespaceAndEmptyElements() {
        #expect(
            ByteRange.parseHeader(" bytes = 0-1 , 5-\t,, -3 ")
                == [.closed(first: 0, last: 1), .from(first: 5), .suffix(length: 3)])
    }

    @Test func unitIsCaseInsensitive() {
        #expect(ByteRange.parseHeader("Bytes=1-2") == [.closed(first: 1, last: 2)])
    }

    @Test(arguments: [
        "", "bytes", "bytes=", "bytes=,", "items=0-1", "bytes=a-b", "bytes=1-a", "bytes=--1", "bytes=-",
        "bytes=5-4", "bytes=0-1,x", "bytes=+1-2", "bytes=1 -2", "bytes=0x10-", "bytes=1-2-3", "bytes=٣-4",
    ])
    func rejectsMalformedHeaders(_ value: String) {
        #expect(ByteRange.parseHeader(value) == nil)
    }

    @Test func hugeNumbersSaturateInsteadOfOverflowing() {
        let specs = ByteRange.parseHeader("bytes=0-99999999999999999999999999")
        #expect(specs == [.closed(first: 0, last: Int.max)])
        #expect(specs?[0].resolved(size: 10) == 0...9)
        #expect(ByteRange.parseHeader("bytes=99999999999999999999999-")?[0].resolved(size: 10) == nil)
    }

    @Test func resolvesAgainstTheSize() {
        #expect(ByteRange.closed(first: 0, last: 499).resolved(size: 1000) == 0...499)
        #expect(ByteRange.closed(first: 900, last: 2000).resolved(size: 1000) == 900...999)
        #expect(ByteRange.closed(first: 999, last: 999).resolved(size: 1000) == 999...999)
        #expect(ByteRange.from(first: 10).resolved(size: 1000) == 10...999)
        #expect(ByteRange.suffix(length: 200).resolved(size: 1000) == 800...999)
        #expect(ByteRange.suffix(length: 5000).resolved(size: 1000) == 0...999)
    }

    @Test func unsatisfiableRangesResolveToNil() {
        #expect(ByteRange.closed(first: 1000, last: 1001).resolved(size: 1000) == nil)
        #expect(ByteRange.from(first: 1000).resolved(size: 1000) == nil)
        #expect(ByteRange.suffix(length: 0).resolved(size: 1000) == nil)
        #expect(ByteRange.from(first: 0).resolved(size: 0) == nil)
        #expect(ByteRange.suffix(length: 5).resolved(size: 0) == nil)
    }
}
