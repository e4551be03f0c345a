import Testing

@testable import MydiaStreaming

@Suite struct HLSPlaylistTests {
    @Test func splitsDurationIntoSegments() {
        #expect(HLSPlaylist(duration: 12, segmentLength: 4).segmentDurations == [4, 4, 4])
        #expect(HLSPlaylist(duration: 10, segmentLength: 4).segmentDurations == [4, 4, 2])
        #expect(HLSPlaylist(duration: 3, segmentLength: 4).segmentDurations == [3])
    }

    @Test func foldsASliverIntoThePreviousSegment() {
        let durations = HLSPlaylist(duration: 8.2, segmentLength: 4).segmentDurations
        #expect(durations.count == 2)
        #expect(abs(durations[1] - 4.2) < 1e-9)
    }

    @Test func textIsACompleteVODPlaylistWithRelativeURIs() {
        let text = HLSPlaylist(duration: 10, segmentLength: 4).text
        #expect(text.hasPrefix("#EXTM3U\n"))
        #expect(text.contains("#EXT-X-PLAYLIST-TYPE:VOD"))
        #expect(text.contains("#EXT-X-TARGETDURATION:4"))
        #expect(text.hasSuffix("#EXT-X-ENDLIST\n"))
        let entries = playlistEntries(text)
        #expect(entries.map(\.uri) == ["seg00000.ts", "seg00001.ts", "seg00002.ts"])
        #expect(entries.map(\.duration) == [4, 4, 2])
    }

    @Test func segmentIndexOnlyForListedSegments() {
        let playlist = HLSPlaylist(duration: 10, segmentLength: 4)
        #expect(playlist.segmentIndex(forName: "seg00002.ts") == 2)
        #expect(playlist.segmentIndex(forName: "seg00003.ts") == nil)
        #expect(playlist.segmentIndex(forName: "seg-0001.ts") == nil)
        #expect(playlist.segmentIndex(forName: "index.m3u8") == nil)
    }

    @Test func degenerateInputsNeverCrash() {
        #expect(HLSPlaylist(duration: 5, segmentLength: 0).segmentDurations == [1, 1, 1, 1, 1])
        #expect(HLSPlaylist(duration: 0, segmentLength: 4).segmentDurations == [0])
        #expect(HLSPlaylist(duration: .nan, segmentLength: 4).segmentDurations == [0])
    }
}
