import Foundation
import Testing

@testable import MydiaStreaming

/// Keyframe indices survive a server restart on disk, keyed so that a changed file is a miss, and
/// anything damaged on disk is a miss rather than a wrong playlist.
@Suite struct KeyframeIndexStoreTests {
    @Test func anIndexRoundTripsAndOnlyItsOwnKeyFindsIt() throws {
        let store = KeyframeIndexStore(folder: TestMedia.freshFolder("store").appendingPathComponent("indices"))
        defer { try? FileManager.default.removeItem(at: store.folder.deletingLastPathComponent()) }
        let index = KeyframeIndex(times: [0, 1.2, 2.4000000000000004, 1e-7 + 3.6])
        #expect(store.load(key: "a|1|2.0|3") == nil)
        try store.save(index, key: "a|1|2.0|3")
        #expect(store.load(key: "a|1|2.0|3") == index)
        #expect(store.load(key: "a|1|2.5|3") == nil)  // modified since
        let mode = try FileManager.default.attributesOfItem(atPath: store.url(for: "a|1|2.0|3").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func damagedFilesAreMisses() throws {
        let store = KeyframeIndexStore(folder: TestMedia.freshFolder("store-damaged"))
        defer { try? FileManager.default.removeItem(at: store.folder) }
        try store.save(KeyframeIndex(times: [0, 2, 4]), key: "k")
        let file = store.url(for: "k")
        for damaged in [#"{"key":"k","times":[0,4,2]}"#, #"{"key":"other","times":[0,2]}"#, #"{"key":"k","times":[]}"#, "{", ""] {
            try Data(damaged.utf8).write(to: file)
            #expect(store.load(key: "k") == nil, "\(damaged)")
        }
    }

    @Test func theFolderIsTrimmedToItsCapacity() throws {
        var store = KeyframeIndexStore(folder: TestMedia.freshFolder("store-trim"))
        store.capacity = 3
        defer { try? FileManager.default.removeItem(at: store.folder) }
        for n in 0..<6 {
            try store.save(KeyframeIndex(times: [Double(n)]), key: "k\(n)")
            // Modification times must differ for "least recently written" to mean anything.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000 + Double(n))],
                                                  ofItemAtPath: store.url(for: "k\(n)").path)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: store.folder.path)
        #expect(left.count == 3)
        #expect(store.load(key: "k5") != nil && store.load(key: "k0") == nil)
    }

    /// A manager with a keyframe folder takes a stored index instead of reading the file: a
    /// stored index with a keyframe at 1 s (the clip has them every 2 s) shows in the playlist.
    @Test func aRestartedManagerUsesTheStoredIndexAndAFreshOneIsStored() async throws {
        let folder = TestMedia.freshFolder("store-manager")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = HLSSessionManager.Configuration(root: folder.appendingPathComponent("sessions"))
        configuration.keyframeIndexFolder = folder.appendingPathComponent("indices")
        configuration.segmentSeconds = 1
        let tools = try TestMedia.tools()
        let key = try #require(HLSSessionManager.keyframeCacheKey(TestMedia.clip))
        let store = KeyframeIndexStore(folder: folder.appendingPathComponent("indices"))

        let first = HLSSessionManager(configuration: configuration, tools: tools)
        let info = try await first.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let read = try #require(store.load(key: key))
        #expect(read.times.count == 6)  // 12 s, a keyframe every 2 s: stored on first use
        let plain = playlistEntries(try await first.response(sessionId: info.sessionId, path: "index.m3u8").text)
        await first.endAll()

        try store.save(KeyframeIndex(times: [0, 1] + read.times.dropFirst()), key: key)
        let restarted = HLSSessionManager(configuration: configuration, tools: tools)
        let again = try await restarted.start(fileURL: TestMedia.clip, strategy: .hlsCopy)
        let stored = playlistEntries(try await restarted.response(sessionId: again.sessionId, path: "index.m3u8").text)
        #expect(plain.first.map { abs($0.duration - 2) < 0.01 } == true)
        #expect(stored.first.map { abs($0.duration - 1) < 0.01 } == true, "\(stored)")
        await restarted.endAll()
    }
}
