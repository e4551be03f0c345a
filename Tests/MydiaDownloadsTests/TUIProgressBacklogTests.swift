import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaDownloads
import MydiaPlayback
import MydiaTUI
import MydiaTestSupport
import Testing

/// The TUI delivers progress queued by offline playback as soon as its session has a path, with
/// no playback needed (issue 20: "progress is queued and sent when the server is back").
@Suite(.serialized) struct TUIProgressBacklogTests {
    @Test func theTUIsPlaybackControllerDeliversTheBacklogWhenItsSessionConnects() async throws {
        let fixture = try await DownloadFixture.start()
        defer { Task { await fixture.close() } }
        let id = try await fixture.movieID()
        let backlog = ProgressBacklog(directory: fixture.downloads)
        backlog.add([ProgressReport(kind: .stop, item: .init(kind: .movie, id: id), position: 6, duration: 8, observedAt: Date())])
        let controller = LivePlaybackController(mpvArguments: [], downloads: fixture.downloads, logger: Logger(label: "test"))
        await controller.use(fixture.session)
        let delivered = try await withTimeout(.seconds(20), "backlog delivered") {
            while !backlog.pending.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            return try await fixture.session.api.movie(id: id)?.progress?.positionSeconds
        }
        #expect(delivered == 6)
        await fixture.close()
    }
}
