// Poster figures for TUIBench (see main.swift for the list).
import CNcurses
import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaRelay
import MydiaServer
import MydiaSystem
import MydiaTUI
import MydiaWire

/// A synthetic 2:3 poster (a colour gradient with bands), `width` × `height` RGBA.
func syntheticPoster(seed: Int, width: Int = 300, height: Int = 450) -> DecodedImage {
    var rgba = [UInt8](repeating: 255, count: width * height * 4)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 4
            rgba[i] = UInt8((x * 255 / width + seed * 37) & 0xFF)
            rgba[i + 1] = UInt8((y * 255 / height + seed * 71) & 0xFF)
            rgba[i + 2] = UInt8(((x / 20 + y / 30) % 2 == 0 ? 40 : 200) &+ UInt8(seed & 0x3F))
        }
    }
    return DecodedImage(width: width, height: height, rgba: rgba)
}

/// The movie list with a poster URL on every movie (`/p/<i mod distinct>`).
func withPosters(_ catalog: CachedCatalog, distinct: Int) throws -> CachedCatalog {
    var copy = catalog
    for i in copy.movies.items.indices {
        copy.movies.items[i].artwork = try JSONDecoder().decode(Artwork.self, from: Data(#"{"posterUrl":"/p/\#(i % distinct)"}"#.utf8))
    }
    return copy
}

/// `tui_keystroke_frame_ms_10k` with posters on in `mode`: every movie has one of 40 posters,
/// decoded already (as after their fetch); the frame includes the poster (symbols drawn through
/// curses, kitty/sixel sequences written to the pty when the selection changes).
func keystrokeFrames(_ catalog: CachedCatalog, mode: GraphicsMode?) throws -> [Double] {
    let rows = 50, columns = 160
    let pty = PTY(rows: rows, columns: columns)
    defer { close(pty.slave); close(pty.master) }
    let screen = try CursesScreen(input: pty.slave, output: pty.slave, theme: .dark, environment: ["TERM": "xterm-256color"])
    var state = AppState(rows: rows, columns: columns, paired: true, cached: try withPosters(catalog, distinct: 40), playbackAvailable: true)
    if let mode {
        state.artwork = ArtworkShelf(settings: PosterSettings(mode: mode, cellWidth: 10, cellHeight: 20))
        for i in 0..<40 { _ = state.reduce(.artwork(url: "/p/\(i)", .ready(syntheticPoster(seed: i)))) }
    }
    PosterRenderCache.shared.removeAll()
    _ = state.reduce(.sessionOpened(serverName: "Bench", relay: "https://relay.example.org"))
    _ = state.reduce(.key(.character("2")))
    screen.draw(Renderer.frame(state))
    let pattern: [Key] = Array(repeating: .character("j"), count: 30) + [.pageDown, .pageDown, .character("k"), .character("G"), .character("k"), .character("g")]
    var samples: [Double] = []
    var drawn = 0
    for i in 0..<3000 {
        let key = pattern[i % pattern.count]
        let start = ContinuousClock.now
        _ = state.reduce(.key(key))
        let frame = Renderer.frame(state)
        screen.draw(frame)
        if i >= 200 { samples.append(ms(ContinuousClock.now - start)) }  // after warm-up
        drawn += frame.pictures.isEmpty ? 0 : 1
    }
    screen.end()
    if mode != nil && drawn < 2900 { print("TUIBench: posters were drawn in only \(drawn) of 3000 frames") }
    return samples
}

/// `poster_first_draw_ms`: a real server (in process, loopback direct path) whose movies have no
/// sidecar poster; the selected movie's poster goes from the reducer's request through the
/// real fetch (API client, bearer, disk cache), decoding, rendering and a curses draw.
func posterFirstDraw() async throws -> (uncached: [Double], cached: [Double], serverGrab: [Double]) {
    var quiet = Logger(label: "bench")
    quiet.logLevel = .critical
    let library = NSTemporaryDirectory() + "mydia-tui-bench-poster-library"
    try FileManager.default.createDirectory(atPath: library + "/Movies", withIntermediateDirectories: true)
    for (i, source) in ["testsrc2", "smptebars", "rgbtestsrc", "testsrc", "smptehdbars"].enumerated() {
        let file = library + "/Movies/Poster \(source) (\(2000 + i)).mp4"
        guard !FileManager.default.fileExists(atPath: file) else { continue }
        let run = try ChildProcess.run(executable: "/usr/bin/ffmpeg", arguments: [
            "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "\(source)=size=854x480:rate=24:duration=4",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", file + ".partial.mp4"], environment: ["PATH": "/usr/bin:/bin"])
        guard run.status == 0 else { fatalError("ffmpeg could not make the bench library") }
        try FileManager.default.moveItem(atPath: file + ".partial.mp4", toPath: file)
    }
    let work = URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-tui-bench-poster-\(getpid())")
    defer { try? FileManager.default.removeItem(at: work) }
    let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
    let relayTask = Task { try await relay.run() }
    defer { relayTask.cancel() }
    let origin = try await relay.origin()
    var config = ServerConfiguration(relay: try RelayOrigin(origin), libraryPath: library,
                                     stateDirectory: work.appendingPathComponent("state").path, logger: quiet)
    config.directHost = "127.0.0.1"
    let host = try await ServerHost(configuration: config)
    let hostTask = Task { try await host.run() }
    defer { hostTask.cancel() }
    await host.link.waitUntilRegistered()
    let store = try CredentialStore(directory: work.appendingPathComponent("client"), logger: quiet)
    _ = try await Pairing.pair(code: try await host.issueClaim().code.value, relay: origin, deviceName: "bench", store: store, logger: quiet)
    let session = try await ClientSession.open(store: store, selection: nil, logger: quiet)
    let deadline = ContinuousClock.now + .seconds(30)
    while await session.manager.currentState != .direct {
        guard ContinuousClock.now < deadline else { fatalError("the bench client never went direct") }
        try await Task.sleep(for: .milliseconds(50))
    }
    let movies = try await session.api.movies(first: 10)

    let rows = 50, columns = 160
    let pty = PTY(rows: rows, columns: columns)
    defer { close(pty.slave); close(pty.master) }
    let screen = try CursesScreen(input: pty.slave, output: pty.slave, theme: .dark, environment: ["TERM": "xterm-256color"])
    defer { screen.end() }
    let settings = PosterSettings(mode: .symbols, cellWidth: 10, cellHeight: 20)
    var state = AppState(rows: rows, columns: columns, paired: true, playbackAvailable: true)
    _ = state.reduce(.sessionOpened(serverName: "Bench", relay: origin))
    _ = state.reduce(.key(.character("2")))
    _ = state.reduce(.loaded(.movies(movies, replacing: true)))

    /// One first draw of the selected movie's poster with `cache`; returns ms.
    func firstDraw(_ cache: ImageCache) async -> Double? {
        state.artwork = ArtworkShelf(settings: settings)
        PosterRenderCache.shared.removeAll()
        let start = ContinuousClock.now
        guard case .loadArtwork(let request)? = state.reduce(.resize(rows: rows, columns: columns)).first else { return nil }
        screen.draw(Renderer.frame(state))  // the frame the key press gives: the box, empty
        let outcome = await ArtworkFetcher(cache: cache).load(request, api: session.api)
        _ = state.reduce(.artwork(url: request.url, outcome))
        let frame = Renderer.frame(state)
        screen.draw(frame)
        guard !frame.pictures.isEmpty else { return nil }
        return ms(ContinuousClock.now - start)
    }

    var grab: [Double] = [], uncached: [Double] = [], cached: [Double] = []
    // The server's first answer for each movie includes its ffmpeg frame.
    for i in 0..<movies.nodes.count {
        _ = state.reduce(.key(i == 0 ? .character("g") : .character("j")))
        let cache = ImageCache(directory: work.appendingPathComponent("grab-\(i)"), logger: quiet)
        if let t = await firstDraw(cache) { grab.append(t) }
    }
    for i in 0..<30 {
        if let t = await firstDraw(ImageCache(directory: work.appendingPathComponent("cold-\(i)"), logger: quiet)) { uncached.append(t) }
    }
    let warm = ImageCache(directory: work.appendingPathComponent("warm"), logger: quiet)
    _ = await firstDraw(warm)
    for _ in 0..<30 {
        if let t = await firstDraw(warm) { cached.append(t) }
    }
    await session.close()
    return (uncached, cached, grab)
}
