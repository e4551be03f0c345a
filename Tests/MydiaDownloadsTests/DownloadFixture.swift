import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaDownloads
import MydiaServer
import MydiaTestSupport

/// A real relay and server whose library holds one ~22 MB movie with an English sidecar
/// subtitle, a paired client session, and a fresh downloads folder. The direct path goes through
/// a ``FaultProxy`` so a test can cut it mid-body.
struct DownloadFixture {
    let stack: ServerStack
    let proxy: FaultProxy
    let store: CredentialStore
    let session: ClientSession
    let library: String
    let downloads: DownloadDirectory
    let log: CapturedLog

    static let title = "Raw Download"

    static func start() async throws -> DownloadFixture {
        let library = NSTemporaryDirectory() + "mydia-downloads-library-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: library + "/Movies", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try sourceClip(), toPath: library + "/Movies/\(title) (2024).mkv")
        try "1\n00:00:00,500 --> 00:00:02,000\nHello from the download test\n"
            .write(toFile: library + "/Movies/\(title) (2024).en.srt", atomically: true, encoding: .utf8)
        let proxy = try await FaultProxy.start()
        let stack = try await ServerStack.start(library: library) { config in
            config.extraDirectURLs = ["https://127.0.0.1:\(proxy.port)"]
        }
        proxy.setTarget(port: try await stack.host.directPort())
        let store = try CredentialStore(directory: URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-downloads-client-\(UUID().uuidString)"))
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let claim = try await stack.host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: stack.relayOrigin, deviceName: "download test", store: store, logger: quiet)
        let log = CapturedLog()
        let session = try await ClientSession.open(store: store, selection: nil, discovery: .off, logger: log.logger())
        let downloads = DownloadDirectory(root: URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-downloads-data-\(UUID().uuidString)/mydia-tui/downloads"))
        return DownloadFixture(stack: stack, proxy: proxy, store: store, session: session, library: library, downloads: downloads, log: log)
    }

    func close() async {
        await session.close()
        await stack.stop()
        await proxy.stop()
        try? FileManager.default.removeItem(atPath: library)
        try? FileManager.default.removeItem(at: downloads.root.deletingLastPathComponent().deletingLastPathComponent())
        try? FileManager.default.removeItem(at: store.directory)
    }

    /// The movie file on the server.
    var serverFile: String { library + "/Movies/\(Self.title) (2024).mkv" }

    /// The movie's id.
    func movieID() async throws -> String {
        let movies = try await session.api.movies(first: 10)
        guard let movie = movies.edges.map(\.node).first(where: { $0.title == Self.title }) else { throw CocoaError(.fileNoSuchFile) }
        return movie.id
    }

    /// Waits until the manager is in `state`.
    func waitFor(_ state: ConnectionState, on session: ClientSession? = nil, within limit: Duration = .seconds(40)) async throws {
        let manager = (session ?? self.session).manager
        let deadline = ContinuousClock.now + limit
        while await manager.currentState != state {
            guard ContinuousClock.now < deadline else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "never reached \(state) (now \(await manager.currentState))"]) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A new engine on `session` (default: the fixture's) writing into the fixture's folder.
    func engine(_ options: DownloadEngine.Options = .init(), session: ClientSession? = nil) -> DownloadEngine {
        let session = session ?? self.session
        var options = options
        options.retryDelays = [.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2)]
        return DownloadEngine(store: DownloadStore(directory: downloads), api: session.api, manager: session.manager, options: options,
                              logger: log.logger())
    }

    /// A second session on the same credentials, as a new client process opens one.
    func reopen() async throws -> ClientSession {
        try await ClientSession.open(store: store, selection: nil, discovery: .off, logger: log.logger())
    }

    /// SHA-256 of a file, hex (`sha256sum`).
    static func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? -1
    }

    /// An 8 s 320x240 raw-video Matroska file (~22 MB), made once per machine.
    static func sourceClip() throws -> String {
        let file = NSTemporaryDirectory() + "mydia-downloads-tests-raw.mkv"
        if FileManager.default.fileExists(atPath: file) { return file }
        let partial = file + ".\(UUID().uuidString).partial.mkv"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                       "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=8", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", partial]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        if (try? FileManager.default.moveItem(atPath: partial, toPath: file)) == nil { try? FileManager.default.removeItem(atPath: partial) }
        return file
    }
}

/// What a test throws from ``DownloadEngine/Options/chunkWritten`` to end a download as a kill would.
struct Killed: Error {}
