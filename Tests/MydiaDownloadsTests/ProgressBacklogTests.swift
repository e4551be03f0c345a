import Foundation
import MydiaAPI
import MydiaClient
import MydiaDownloads
import MydiaPlayback
import MydiaTestSupport
import Testing

/// Progress made offline waits in the downloads folder and reaches the real server once a
/// session can store it; the newest report per item wins.
@Suite(.serialized) struct ProgressBacklogTests {
    @Test func queuedProgressIsKeptWhileTheServerIsAwayAndDeliveredWhenItIsBack() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        let backlog = ProgressBacklog(directory: fixture.downloads)
        let item = PlaybackItem.Reference(kind: .movie, id: id)
        let older = ProgressReport(kind: .periodic, item: item, position: 3, duration: 8, observedAt: Date(timeIntervalSinceNow: -60))
        let newer = ProgressReport(kind: .stop, item: item, position: 5, duration: 8, observedAt: Date())
        backlog.add([newer])
        backlog.add([older])  // older than what is queued: dropped
        #expect(backlog.pending.map(\.position) == [5])
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.downloads.root.appendingPathComponent(".progress.json").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // No usable connection (this session is closed): nothing stored, nothing lost.
        let closed = try await fixture.reopen()
        await closed.close()
        #expect(await backlog.deliver(to: APIProgressSink(api: closed.api)) == 0)
        #expect(backlog.pending.count == 1)

        // Back: delivered in order and forgotten; the server has the position.
        #expect(await backlog.deliver(to: APIProgressSink(api: fixture.session.api)) == 1)
        #expect(backlog.pending.isEmpty)
        let movie = try #require(try await fixture.session.api.movie(id: id))
        #expect(movie.progress?.positionSeconds == 5)

        // A report of the item now being played is superseded by that playback's own reports.
        backlog.add([ProgressReport(kind: .stop, item: item, position: 7, duration: 8, observedAt: Date())])
        #expect(await backlog.deliver(to: APIProgressSink(api: fixture.session.api), superseding: id) == 0)
        #expect(backlog.pending.isEmpty)
        #expect(try await fixture.session.api.movie(id: id)?.progress?.positionSeconds == 5)
        await fixture.close()
    }
}
