import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaPlayback
import MydiaServer
import MydiaTestSupport
import Synchronization

/// A real relay and server, a paired client and an open ClientSession.
struct PlaybackFixture {
    let stack: ServerStack
    let store: CredentialStore
    let session: ClientSession
    let log: CapturedLog

    /// - Parameters:
    ///   - directURL: the direct URL the server announces (`nil`: its own listener).
    ///   - directPort: the direct listener's port (0: any).
    ///   - library: the library folder (default: the 12 s clip of ``longClipLibrary()``).
    static func start(directURL: String? = nil, directPort: Int = 0, library: String? = nil) async throws -> PlaybackFixture {
        let stack = try await ServerStack.start(library: try library ?? longClipLibrary()) { config in
            if let directURL { config.extraDirectURLs = [directURL] }
            config.directPort = directPort
        }
        let store = try CredentialStore(directory: URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-play-\(UUID().uuidString)"))
        let claim = try await stack.host.issueClaim()
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        _ = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "play test", store: store, logger: quiet)
        let log = CapturedLog()
        let session = try await ClientSession.open(store: store, selection: nil, logger: log.logger())
        return PlaybackFixture(stack: stack, store: store, session: session, log: log)
    }

    func close() async {
        await session.close()
        await stack.stop()
    }

    /// Every secret and server address the player must never see.
    func secrets() async throws -> [String] {
        let credentials = try await store.select(nil)
        var secrets = [credentials.accessToken, credentials.mediaToken, credentials.deviceToken, stack.relayOrigin]
        secrets += credentials.directURLs
        if let port = URL(string: stack.relayOrigin)?.port { secrets.append("127.0.0.1:\(port)") }
        return secrets
    }

    /// The client's tokens (access, media, device).
    func tokens() async throws -> [String] {
        let credentials = try await store.select(nil)
        return [credentials.accessToken, credentials.mediaToken, credentials.deviceToken]
    }

    /// Waits until the manager is in `state`.
    func waitFor(_ state: ConnectionState, within limit: Duration = .seconds(40)) async throws {
        let deadline = ContinuousClock.now + limit
        while await session.manager.currentState != state {
            guard ContinuousClock.now < deadline else { throw CocoaError(.executableLoad) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The movie id of the 12-second clip.
    func longMovieID() async throws -> String {
        let movies = try await session.api.movies(first: 10)
        guard let movie = movies.edges.map(\.node).first(where: { $0.title == "Long Pattern" }) else { throw CocoaError(.fileNoSuchFile) }
        return movie.id
    }

    /// A library with one 12 s movie at ~1 Mbit/s (three 4 s HLS segments of ~0.5 MB), made once.
    static func longClipLibrary() throws -> String {
        let dir = NSTemporaryDirectory() + "mydia-playback-tests-library"
        let file = dir + "/Movies/Long Pattern (2020).mp4"
        if FileManager.default.fileExists(atPath: file) { return dir }
        try FileManager.default.createDirectory(atPath: dir + "/Movies", withIntermediateDirectories: true)
        // Another suite may be making it at the same moment: each writes its own partial file.
        let partial = file + ".\(UUID().uuidString).partial.mp4"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                       "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=12",
                       "-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000:duration=12",
                       "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1000k", "-g", "48", "-pix_fmt", "yuv420p",
                       "-c:a", "aac", "-b:a", "64k", "-shortest", partial]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        if (try? FileManager.default.moveItem(atPath: partial, toPath: file)) == nil {
            try? FileManager.default.removeItem(atPath: partial)
            guard FileManager.default.fileExists(atPath: file) else { throw CocoaError(.fileWriteUnknown) }
        }
        return dir
    }
}

extension Playback {
    /// A playback over an open client session: its API client and connection manager.
    static func start(session: ClientSession, itemID: String, options: PlaybackOptions, logger: Logger,
                      clock: some Clock<Duration> = ContinuousClock()) async throws -> Playback {
        try await start(api: session.api, manager: session.manager, itemID: itemID, options: options, logger: logger, clock: clock)
    }
}

extension MPVInstallation {
    /// The machine's mpv for tests.
    static var forTests: MPVInstallation { get throws { try MPVInstallation.locate() } }
}

/// Collects a playback's updates until it ends.
final class UpdateLog: Sendable {
    private let updates = Mutex<[PlaybackUpdate]>([])
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(_ playback: Playback) {
        let t = Task { [self] in
            for await update in playback.updates { self.updates.withLock { $0.append(update) } }
        }
        task.withLock { $0 = t }
    }

    var all: [PlaybackUpdate] { updates.withLock { $0 } }

    var stored: [ProgressReport] {
        all.compactMap { if case .progressStored(let r) = $0 { r } else { nil } }
    }

    func finished() async { await task.withLock { $0 }?.value }
}
