import Foundation
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaDownloads
import MydiaPlayback
import MydiaServer
import MydiaTestSupport
import Synchronization
import Testing

/// The download engine against a real relay and server: resume by Range across a cut direct path
/// and a killed engine, a restart when the server's file changed, the free-space check and a real
/// full disk.
@Suite(.serialized) struct DownloadEngineTests {
    /// The direct listener goes away a third of the way in (the manager moves the body to the
    /// relay), the engine is killed at two thirds, and a new session's engine resumes by Range:
    /// the file is byte-identical to the server's, 0600 in a 0700 folder, with its subtitles.
    @Test func anInterruptedDownloadResumesToAByteIdenticalFile() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        try await fixture.waitFor(.direct)
        let id = try await fixture.movieID()
        let size = DownloadFixture.size(fixture.serverFile)
        let stack = fixture.stack, proxy = fixture.proxy
        let cut = Mutex(false)
        var options = DownloadEngine.Options()
        options.chunkWritten = { bytes in
            if bytes >= size / 3, !cut.withLock({ $0 }) {
                cut.withLock { $0 = true }
                stack.host.stopDirectListener()
                proxy.setMode(.reject)
                proxy.resetAll()
            }
            if bytes >= size * 2 / 3 { throw Killed() }
        }
        let first = fixture.engine(options)
        await #expect(throws: Killed.self) { _ = try await first.download(itemID: id) }
        // (Whether this session's manager saw the direct path fail depends on how much of the file
        // was already in its buffers when the listener went; the resume below is what matters.)
        let store = DownloadStore(directory: fixture.downloads)
        let partial = try #require(store.partialRecord(id))
        #expect(!partial.complete && partial.bytes >= size * 2 / 3 && partial.bytes < size)
        #expect(store.list().allSatisfy { !$0.complete } && !store.isDownloaded(id))
        #expect(!FileManager.default.fileExists(atPath: fixture.downloads.completeFolder(id).path))
        await fixture.session.close()

        // A new process: a fresh session, still relay only (the listener is down).
        let second = try await fixture.reopen()
        try await fixture.waitFor(.relay, on: second)
        let engine = fixture.engine(session: second)
        let updates = Task { await collect(engine.updates) }
        let record = try await engine.download(itemID: id)
        await engine.close()
        await second.close()
        let seen = await updates.value
        #expect(seen.contains { $0.resumedFrom >= size * 2 / 3 }, "\(seen.prefix(3))")
        #expect(record.complete && record.bytes == size && record.path.hasPrefix(fixture.downloads.root.path + "/"))
        #expect(try DownloadFixture.sha256(record.path) == DownloadFixture.sha256(fixture.serverFile))
        #expect(record.etag?.hasPrefix("\"") == true && record.title == "Raw Download (2024)" && record.kind == .movie)
        let attributes = try FileManager.default.attributesOfItem(atPath: record.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: fixture.downloads.completeFolder(id).path)
        #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let subtitle = try #require(record.subtitles.first)
        let vtt = try String(contentsOf: fixture.downloads.completeFolder(id).appendingPathComponent("subtitles/" + subtitle.fileName), encoding: .utf8)
        #expect(vtt.hasPrefix("WEBVTT") && vtt.contains("Hello from the download test"))
        #expect(store.isDownloaded(id) && store.partialRecord(id) == nil && store.list().map(\.id) == [id])
        let (item, media) = try #require(store.playable(id))
        #expect(item.reference.id == id && media.path == record.path && media.subtitles[subtitle.trackId] != nil)
        await fixture.close()
    }

    /// The server's file is rewritten (same size, new bytes) between two runs: its strong ETag
    /// changed, the resume answers 200, and the download starts over into the new file.
    @Test func aFileChangedOnTheServerRestartsTheDownload() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        let size = DownloadFixture.size(fixture.serverFile)
        var options = DownloadEngine.Options()
        options.chunkWritten = { bytes in if bytes >= size / 2 { throw Killed() } }
        await #expect(throws: Killed.self) { _ = try await fixture.engine(options).download(itemID: id) }
        let before = try #require(DownloadStore(directory: fixture.downloads).partialRecord(id))
        #expect(before.bytes >= size / 2)

        let handle = try #require(FileHandle(forUpdatingAtPath: fixture.serverFile))
        try handle.seek(toOffset: 4096)
        handle.write(Data(repeating: 0xA5, count: 65536))
        try handle.close()
        #expect(DownloadFixture.size(fixture.serverFile) == size)

        let engine = fixture.engine()
        let updates = Task { await collect(engine.updates) }
        let record = try await engine.download(itemID: id)
        await engine.close()
        let seen = await updates.value
        #expect(seen.contains { $0.phase == .restarted })
        #expect(try DownloadFixture.sha256(record.path) == DownloadFixture.sha256(fixture.serverFile))
        await fixture.close()
    }

    /// Less free space than the file needs: refused before a byte is written, nothing left behind.
    @Test func tooLittleFreeSpaceIsRefusedBeforeWriting() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        var options = DownloadEngine.Options()
        options.freeSpace = FreeSpace { _ in 1_000_000 }
        let error = await #expect(throws: DownloadEngine.Error.self) { _ = try await fixture.engine(options).download(itemID: id) }
        guard case .insufficientSpace(let title, let needed, let available, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(title == "Raw Download (2024)" && needed > 20_000_000 && available == 1_000_000)
        #expect(error?.description.contains("Not enough free disk space") == true)
        #expect(DownloadStore(directory: fixture.downloads).list().isEmpty)
        #expect(Self.visibleEntries(fixture.downloads).isEmpty)
        await fixture.close()
    }

    /// A real full disk mid-way: a 4 MB tmpfs holds the downloads folder and the probe claims
    /// plenty of room. The write fails with ENOSPC: a clear error, the partial folder removed, the
    /// space given back, nothing visible.
    @Test func aDiskThatFillsUpMidwayLeavesNothingBehind() async throws {
        let mountPoint = NSTemporaryDirectory() + "mydia-downloads-tmpfs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mounted = try Self.system(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint])
        try #require(mounted == 0, "this test needs to mount a tmpfs (root in a private mount namespace)")
        defer { _ = try? Self.system(["umount", mountPoint]) }

        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        let downloads = DownloadDirectory(root: URL(fileURLWithPath: mountPoint + "/mydia-tui/downloads"))
        var options = DownloadEngine.Options()
        options.freeSpace = FreeSpace { _ in 1 << 40 }
        options.retryDelays = []
        let engine = DownloadEngine(store: DownloadStore(directory: downloads), api: fixture.session.api, manager: fixture.session.manager,
                                    options: options, logger: fixture.log.logger())
        let error = await #expect(throws: DownloadEngine.Error.self) { _ = try await engine.download(itemID: id) }
        guard case .diskFull? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(error?.description.contains("The disk filled up") == true)
        #expect(DownloadStore(directory: downloads).list().isEmpty)
        #expect(Self.visibleEntries(downloads).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: downloads.partialFolder(id).path))
        #expect(try FreeSpace.statvfs.available(mountPoint) > 3_500_000)  // the space came back
        await fixture.close()
    }

    /// Runs a system tool; returns its exit status.
    static func system(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Entries of the downloads folder a user sees (not the hidden partial folder).
    static func visibleEntries(_ downloads: DownloadDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: downloads.root.path)) ?? []).filter { !$0.hasPrefix(".") }
    }
}

/// Every element of `stream` until it finishes.
func collect<T: Sendable>(_ stream: AsyncStream<T>) async -> [T] {
    var all: [T] = []
    for await element in stream { all.append(element) }
    return all
}
