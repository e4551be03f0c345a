import Testing

@testable import MydiaStreaming

@Suite struct HLSPathTests {
    @Test(arguments: ["index.m3u8", "seg00001.ts", "v0/index.m3u8", "audio/en/seg1.m4s", "a%20b.ts"])
    func acceptsRelativeNestedPaths(_ raw: String) throws {
        let path = try HLSPath(raw: raw)
        #expect(!path.components.isEmpty)
        #expect(!path.relativePath.contains(".."))
    }

    @Test func decodesEscapesOnce() throws {
        #expect(try HLSPath(raw: "a%20b.ts").fileName == "a b.ts")
    }

    @Test(arguments: [
        "..", "../index.m3u8", "v0/../../etc/passwd", "%2e%2e/x.ts", "%2E%2E/x.ts", ".%2e/x.ts", "./index.m3u8",
        "/etc/passwd", "%2fetc/passwd", "a//b.ts", "a/", "", "a\\..\\b", "a%5c..%5cb", "x%00.ts", "%zz.ts",
        "%252e%252e/x.ts", "a\n.ts",
    ])
    func rejectsTraversalAndMalformedPaths(_ raw: String) {
        #expect(throws: HLSPath.Rejection.malformed) { try HLSPath(raw: raw) }
    }

    @Test(arguments: [".hidden.ts", "seg00001.ts.tmp", "v0/.x/index.m3u8"])
    func neverServesHiddenOrInProgressFiles(_ raw: String) {
        #expect(throws: HLSPath.Rejection.notServed) { try HLSPath(raw: raw) }
    }

    @Test func queryIsNotPartOfThePath() throws {
        #expect(try HLSPath(raw: "index.m3u8?token=abc").relativePath == "index.m3u8")
    }
}
