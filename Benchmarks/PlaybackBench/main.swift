// PlaybackBench: the local proxy's throughput and start-up latency on loopback with a real relay
// and two real servers (one reachable direct, one relay-only), plus the client's RSS while it
// streams a file over 1 GB. Ratios are interleaved against their baseline in the same run.
// Throughput and RSS are the real client: `mydia-tui play --player none` (release, next to this
// binary) in its own process, as a user runs it, with curl as the player.
import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaConnection
import MydiaCrypto
import MydiaDownloads
import MydiaLibrary
import MydiaPlayback
import MydiaRelay
import MydiaServer
import MydiaSystem
import MydiaWire
import NIOCore
import Synchronization

// The relay and the servers run in this process: with the allocator settings each of them sets
// as a program of its own (PROTOCOL.md §13.73).
MallocTuning.apply()

let quiet: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    return logger
}()

func run(_ tool: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [tool] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { fatalError("\(tool) \(args.prefix(3)) failed with status \(p.terminationStatus)") }
    return String(decoding: data, as: UTF8.self)
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// A bench library: a 4 s clip (HLS start-up) and a ~1.1 GB raw-video file (throughput, RSS).
let libraryDir = NSTemporaryDirectory() + "mydia-playback-bench-library"
let bigFile = libraryDir + "/Movies/Raw Bars (2024).mkv"
try FileManager.default.createDirectory(atPath: libraryDir + "/Movies", withIntermediateDirectories: true)
if !FileManager.default.fileExists(atPath: libraryDir + "/Movies/Short Clip (2023).mp4") {
    _ = try run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=4",
                           "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "24",
                           "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", libraryDir + "/Movies/Short Clip (2023).mp4"])
}
if !FileManager.default.fileExists(atPath: bigFile) {
    _ = try run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "smptebars=size=1280x720:rate=24:duration=33",
                           "-c:v", "rawvideo", "-pix_fmt", "yuv420p", bigFile + ".partial.mkv"])
    try FileManager.default.moveItem(atPath: bigFile + ".partial.mkv", toPath: bigFile)
}
let bigSize = (try FileManager.default.attributesOfItem(atPath: bigFile)[.size] as? NSNumber)?.intValue ?? 0

let work = URL(fileURLWithPath: NSTemporaryDirectory() + "mydia-playback-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: work) }
/// `MYDIA_BENCH_TRACE=1`: the relay, the relay-only server and its clients log notices on stderr.
let traced: Logger = {
    guard ProcessInfo.processInfo.environment["MYDIA_BENCH_TRACE"] != nil else { return quiet }
    var logger = Logger(label: "bench") { TraceLogHandler(label: $0) }
    logger.logLevel = .notice
    return logger
}()
let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: traced))
let relayTask = Task { try await relay.run() }
let origin = try await relay.origin()

/// A server, a paired client store and an open session. `reachable: false` announces a direct URL
/// nothing listens on, so that client streams over the relay.
func server(_ name: String, reachable: Bool) async throws -> (ServerHost, CredentialStore, ClientSession) {
    var config = ServerConfiguration(relay: try RelayOrigin(origin), libraryPath: libraryDir,
                                     stateDirectory: work.appendingPathComponent("\(name)-state").path, logger: reachable ? quiet : traced)
    config.directHost = "127.0.0.1"
    if !reachable { config.extraDirectURLs = ["https://127.0.0.1:9"] }
    let host = try await ServerHost(configuration: config)
    Task { try await host.run() }
    await host.link.waitUntilRegistered()
    let (store, session) = try await pairedSession(host, name: "\(name)-client", relay: origin, want: reachable ? .direct : .relay,
                                                   logger: reachable ? quiet : traced)
    return (host, store, session)
}

/// A client store paired with `host` through the relay at `relay` (its origin is what the client
/// keeps), and its session once in state `want`.
func pairedSession(_ host: ServerHost, name: String, relay: String, want: ConnectionState,
                   logger: Logger = quiet) async throws -> (CredentialStore, ClientSession) {
    let store = try CredentialStore(directory: work.appendingPathComponent(name), logger: quiet)
    let claim = try await host.issueClaim()
    _ = try await Pairing.pair(code: claim.code.value, relay: relay, deviceName: "bench", store: store, logger: quiet)
    let session = try await ClientSession.open(store: store, selection: nil, logger: logger)
    let deadline = ContinuousClock.now + .seconds(30)
    while await session.manager.currentState != want {
        guard ContinuousClock.now < deadline else { fatalError("\(name): never reached \(want)") }
        try await Task.sleep(for: .milliseconds(50))
    }
    return (store, session)
}

let (directHost, directStore, directSession) = try await server("direct", reachable: true)
let (relayHost, relayStore, relaySession) = try await server("relay", reachable: false)
let movies = try await directSession.api.movies(first: 10).nodes
guard let big = movies.first(where: { $0.title == "Raw Bars" })?.files.first, let clip = movies.first(where: { $0.title == "Short Clip" }) else {
    fatalError("the bench library was not scanned")
}
let relayMovies = try await relaySession.api.movies(first: 10).nodes
guard let relayClip = relayMovies.first(where: { $0.title == "Short Clip" }), let relayBig = relayMovies.first(where: { $0.title == "Raw Bars" })?.files.first else {
    fatalError("the bench library was not scanned")
}

// 4 (defined here, run last). Downloads (issue 20): the whole ~1.1 GB file into the downloads
// folder by `DownloadEngine` on the direct path (resolve, fetch, fsync, rename) vs `curl -k -o`
// of the same file from the same listener followed by `sync FILE` (both end with the file on
// disk), four rounds interleaved, the first not counted (page cache, connections), medians.
// `MYDIA_BENCH_ONLY=download` runs only this.
func downloadVsCurl() async throws {
    guard let bigMovie = movies.first(where: { $0.title == "Raw Bars" }) else { fatalError("the bench library was not scanned") }
    let token = try await directStore.select(nil).accessToken
    let url = "https://127.0.0.1:\(try await directHost.directPort())/api/v1/stream/file/\(big.id)"
    let curlFile = work.appendingPathComponent("curl-download.mkv").path
    let store = DownloadStore(directory: DownloadDirectory(root: work.appendingPathComponent("downloads")), logger: quiet)
    var engineSpeeds: [Double] = [], curlSpeeds: [Double] = [], curlUnsynced: [Double] = []
    for round in 0..<4 {
        let curlStarted = ContinuousClock.now
        let fetched = try run("curl", ["-k", "-s", "-o", curlFile, "-w", "%{size_download}", "-H", "Authorization: Bearer \(token)", url])
        let curlFetched = ContinuousClock.now
        _ = try run("sync", [curlFile])
        let curlTime = seconds(ContinuousClock.now - curlStarted)
        guard Int(fetched) == bigSize else { fatalError("curl fetched \(fetched) of \(bigSize) bytes") }
        try FileManager.default.removeItem(atPath: curlFile)

        let engine = DownloadEngine(store: store, api: directSession.api, manager: directSession.manager, logger: quiet)
        let engineStarted = ContinuousClock.now
        let record = try await engine.download(itemID: bigMovie.id)
        let engineTime = seconds(ContinuousClock.now - engineStarted)
        await engine.close()
        guard record.bytes == bigSize, await directSession.manager.currentState == .direct else {
            fatalError("the download took \(record.bytes) of \(bigSize) bytes, or the path changed")
        }
        try store.remove(bigMovie.id)
        if round > 0 {
            curlSpeeds.append(Double(bigSize) / curlTime)
            curlUnsynced.append(Double(bigSize) / seconds(curlFetched - curlStarted))
            engineSpeeds.append(Double(bigSize) / engineTime)
        }
    }
    print(String(format: "# download %.2f GB: mydia-tui engine direct %.0f MB/s, curl -k + sync %.0f MB/s (curl alone %.0f MB/s)",
                 Double(bigSize) / 1e9, median(engineSpeeds) / 1e6, median(curlSpeeds) / 1e6, median(curlUnsynced) / 1e6))
    print(String(format: "BENCH download_vs_curl %.2f x target>=0.8", median(engineSpeeds) / median(curlSpeeds)))
}
if ProcessInfo.processInfo.environment["MYDIA_BENCH_ONLY"] == "download" {
    try await downloadVsCurl()
    await directSession.close()
    await relaySession.close()
    exit(0)
}

// 2a'. Enter → mpv's first frame (issue 20 §4): `Playback.start` with the user's mpv (headless:
// --vo=null --ao=null) on the direct path, loopback — item lookup, candidates, the direct-play check
// (its first bytes prefetched), the proxy, mpv started at once and fed over IPC — until mpv's first
// `playback-restart`. Skipped when mpv is not installed.
func firstFrameBench(only firstFrameOnly: Bool) async throws {
    guard let mpv = try? MPVInstallation.locate() else {
        print("# play_first_frame_direct_ms, play_first_frame_relay80_ms skipped: mpv is not installed")
        return
    }
    func firstFrame(_ session: ClientSession, movie: String, logger: Logger = quiet) async throws -> Double {
        var arguments = ["--vo=null", "--ao=null"]
        if logger.logLevel <= .debug { arguments.append("--log-file=" + NSTemporaryDirectory() + "mydia-bench-mpv-trace.log") }
        let options = PlaybackOptions(player: .mpv(.init(installation: mpv, extraArguments: arguments)),
                                      startPosition: 0, autoplayCountdown: nil)
        let started = ContinuousClock.now
        let playback = try await Playback.start(api: session.api, manager: session.manager, itemID: movie, options: options, logger: logger)
        let deadline = started + .seconds(20)
        var shown: ContinuousClock.Instant?
        while shown == nil, ContinuousClock.now < deadline {
            shown = await playback.firstFrameShown
            if shown == nil { try await Task.sleep(for: .milliseconds(2)) }
        }
        await playback.stop()
        guard let shown else { fatalError("mpv showed no frame within 20 s") }
        return seconds(shown - started) * 1000
    }
    if !firstFrameOnly {
        _ = try await firstFrame(directSession, movie: clip.id)  // mpv's own first start (disk cache, fonts)
        var frames: [Double] = []
        for _ in 0..<7 { frames.append(try await firstFrame(directSession, movie: clip.id)) }
        print(String(format: "BENCH play_first_frame_direct_ms %.0f ms target<=300", median(frames)))
    }

    // 2a''. The same through the relay: a session whose only path is the relay tunnel (direct
    // unreachable), connected and used before the clock starts (the TUI has browsed through it when
    // the user presses Enter); once as it is on loopback, once with 40 ms added each way between
    // the client and the relay (DelayProxy: each chunk forwarded 40 ms after it arrived, in order).
    // `MYDIA_BENCH_TRACE=1` prints the playback's debug lines of one more round, stamped from Enter,
    // and has that round's mpv write its log to $TMPDIR/mydia-bench-mpv-trace.log.
    let delay = try await DelayProxy.start(targetHost: "127.0.0.1", targetPort: try await relay.port(), delay: .milliseconds(40))
    // Traced, the delayed session logs what happens to its connection (info and up).
    let connectionLogger = ProcessInfo.processInfo.environment["MYDIA_BENCH_TRACE"] == nil ? quiet : {
        var logger = Logger(label: "relay80") { TraceLogHandler(label: $0) }
        logger.logLevel = .info
        return logger
    }()
    let (_, delayedSession) = try await pairedSession(relayHost, name: "relay80-client", relay: "http://127.0.0.1:\(delay.port)", want: .relay,
                                                      logger: connectionLogger)
    func relayFrames(_ session: ClientSession, name: String, rounds: Int) async throws -> Double {
        let movie = try await session.api.movies(first: 10).nodes.first { $0.title == "Short Clip" }?.id ?? relayClip.id
        let probeStarted = ContinuousClock.now
        _ = try await session.api.movies(first: 1)
        let graphQL = seconds(ContinuousClock.now - probeStarted) * 1000
        _ = try await firstFrame(session, movie: movie)  // warm-up: mpv, the tunnel's first media stream
        var frames: [Double] = []
        for _ in 0..<rounds { frames.append(try await firstFrame(session, movie: movie)) }
        print(String(format: "# first frame %@: GraphQL round trip %.0f ms; rounds %@ ms", name,
                     graphQL, frames.map { String(format: "%.0f", $0) }.joined(separator: " ")))
        if ProcessInfo.processInfo.environment["MYDIA_BENCH_TRACE"] != nil {
            TraceLogHandler.mark()
            _ = try await firstFrame(session, movie: movie, logger: Logger(label: "trace") { TraceLogHandler(label: $0) })
        }
        return median(frames)
    }
    let relayFrame = try await relayFrames(relaySession, name: "relay", rounds: 7)
    let relay80Frame = try await relayFrames(delayedSession, name: "relay80", rounds: 7)
    print(String(format: "BENCH play_first_frame_relay_ms %.0f ms", relayFrame))
    print(String(format: "BENCH play_first_frame_relay80_ms %.0f ms target<=1000", relay80Frame))
    await delayedSession.close()
    await delay.stop()
}
// `MYDIA_BENCH_ONLY=frame` runs only the first-frame figures (2a', 2a'').
if ProcessInfo.processInfo.environment["MYDIA_BENCH_ONLY"] == "frame" {
    try await firstFrameBench(only: true)
    await directSession.close()
    await relaySession.close()
    exit(0)
}

/// curl's download speed in bytes/s for `bytes` of `url` (a Range request).
func curlSpeed(_ url: String, bytes: Int, headers: [String] = [], insecure: Bool = false) throws -> Double {
    var args = ["-s", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}", "-r", "0-\(bytes - 1)"]
    if insecure { args.append("-k") }
    for h in headers { args += ["-H", h] }
    let fields = try run("curl", args + [url]).split(separator: " ")
    guard fields.count == 2, Int(fields[0]) == bytes, let speed = Double(fields[1]) else { fatalError("curl fetched \(fields) of \(url)") }
    return speed
}

/// A running `mydia-tui play ID --player none --events json` for a paired store: the real client in
/// its own process. Its proxy serves the item's playlist and, under the same prefix, `/file/<id>`.
/// Its stdout is read to the end on a thread of its own (the URL line, then JSON event lines), so a
/// full pipe never holds the client up.
final class ClientProcess: Sendable {
    let process: Process
    private let url = Mutex<String?>(nil)
    private let state = Mutex<String?>(nil)

    /// `mydia-tui` next to this binary, or `MYDIA_BENCH_CLIENT` (to compare two builds of it).
    static let binary = ProcessInfo.processInfo.environment["MYDIA_BENCH_CLIENT"]
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("mydia-tui").path

    private init(process: Process) { self.process = process }

    /// Starts the client and returns once it prints its URL and its connection is in `state`.
    static func start(store: CredentialStore, itemID: String, state wanted: String) throws -> ClientProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            fatalError("\(binary) is missing: build it first (make bench does: swift build -c release --product mydia-tui)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["play", itemID, "--player", "none", "--events", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["MYDIA_CONFIG_DIR"] = store.directory.path
        environment["XDG_STATE_HOME"] = work.appendingPathComponent("client-state").path
        environment["MYDIA_DISCOVERY"] = "off"
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let client = ClientProcess(process: p)
        let reader = out.fileHandleForReading
        Thread.detachNewThread { client.read(reader) }
        let deadline = Date().addingTimeInterval(30)
        while client.url.withLock({ $0 }) == nil || client.connectionState != wanted {
            guard Date() < deadline, p.isRunning else {
                fatalError("mydia-tui play never printed its URL in state \(wanted) (state \(client.connectionState ?? "-"))")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return client
    }

    private func read(_ reader: FileHandle) {
        var pending = Data()
        while true {
            let data = reader.availableData
            if data.isEmpty { return }
            pending += data
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = pending[(newline + 1)...]
                if line.starts(with: Array("http://".utf8)) {
                    url.withLock { $0 = String(decoding: line, as: UTF8.self) }
                } else if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                          object["event"] as? String == "connection", let now = object["state"] as? String {
                    state.withLock { $0 = now }
                }
            }
        }
    }

    /// The client's connection state now.
    var connectionState: String? { state.withLock { $0 } }

    /// `http://127.0.0.1:PORT/<prefix>`: the proxy's root for this playback.
    var base: String {
        let printed = url.withLock { $0 } ?? ""
        return printed.range(of: "/hls/").map { String(printed[..<$0.lowerBound]) } ?? printed
    }

    func fileURL(_ id: String) -> String { base + "/file/" + id }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// User plus system CPU time of a process so far, in seconds (`/proc/PID/stat`, clock ticks).
func cpuSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 12,
          let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// VmRSS, RssAnon and RssFile of a process, in MB.
func memoryMB(_ pid: Int32) -> (rss: Double, anon: Double, file: Double) {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0, 0) }
    func field(_ name: String) -> Double {
        guard let row = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kb = Double(row.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
    return (field("VmRSS"), field("RssAnon"), field("RssFile"))
}

// 1. Throughput: the client's proxy on the direct path vs curl straight to the direct HTTPS
// listener, and the client's proxy on the relay path vs on direct; 256 MiB per fetch (64 MiB on
// the relay), five rounds interleaved, medians.
let chunk = 256 << 20
let credentials = try await directStore.select(nil)
let directURL = "https://127.0.0.1:\(try await directHost.directPort())/api/v1/stream/file/\(big.id)"
let directClient = try ClientProcess.start(store: directStore, itemID: clip.id, state: "direct")
let relayClient = try ClientProcess.start(store: relayStore, itemID: relayClip.id, state: "relay")
/// One fetch of each kind: curl straight to the server, and through the client's proxy on each path.
func curlRound() throws -> Double {
    try curlSpeed(directURL, bytes: chunk, headers: ["Authorization: Bearer \(credentials.accessToken)"], insecure: true)
}
func directRound() throws -> Double { try curlSpeed(directClient.fileURL(big.id), bytes: chunk) }
func relayRound() throws -> Double { try curlSpeed(relayClient.fileURL(relayBig.id), bytes: chunk / 4) }
// One round of each, not counted: the file's pages into the page cache (this machine's kernel pages
// out file data untouched for a minute, and a cold read comes from disk at about the speed being
// measured) and every connection open.
_ = (try curlRound(), try directRound(), try relayRound())
// Profiling aid: MYDIA_BENCH_ONLY=relay|direct|curl fetches MYDIA_BENCH_ROUNDS (default 20) times
// over that path only, prints each speed and exits (`rss`: streams the big file through a fresh
// client each round and prints its memory); run `perf record -a` beside it, or compare two
// client builds with MYDIA_BENCH_CLIENT.
if let only = ProcessInfo.processInfo.environment["MYDIA_BENCH_ONLY"] {
    for _ in 0..<(ProcessInfo.processInfo.environment["MYDIA_BENCH_ROUNDS"].flatMap(Int.init) ?? 20) {
        if only == "rss" {
            let (idle, peak) = try await streamBigFile()
            print(String(format: "# rss idle %.1f (anon %.1f, file %.1f) peak %.1f (anon %.1f) MB", idle.rss, idle.anon, idle.file, peak.rss, peak.anon))
            continue
        }
        let speed = try only == "relay" ? relayRound() : only == "direct" ? directRound() : curlRound()
        print(String(format: "# %@ %.0f MB/s", only, speed / 1e6))
    }
    relayClient.stop()
    directClient.stop()
    exit(0)
}
var curlSpeeds: [Double] = [], directSpeeds: [Double] = [], relaySpeeds: [Double] = []
/// CPU seconds spent during the relay rounds: this process (relay and servers) and the client.
var relayCPU = (instanceAndRelay: 0.0, client: 0.0)
for _ in 0..<5 {
    curlSpeeds.append(try curlRound())
    directSpeeds.append(try directRound())
    let before = (cpuSeconds(getpid()), cpuSeconds(relayClient.process.processIdentifier))
    relaySpeeds.append(try relayRound())
    relayCPU.instanceAndRelay += cpuSeconds(getpid()) - before.0
    relayCPU.client += cpuSeconds(relayClient.process.processIdentifier) - before.1
}
guard directClient.connectionState == "direct", relayClient.connectionState == "relay" else {
    fatalError("a client changed paths during the throughput rounds: \(directClient.connectionState ?? "-"), \(relayClient.connectionState ?? "-")")
}
relayClient.stop()
print(String(format: "# curl direct %.0f MB/s, client proxy direct %.0f MB/s, client proxy relay %.0f MB/s",
             median(curlSpeeds) / 1e6, median(directSpeeds) / 1e6, median(relaySpeeds) / 1e6))
let relayBytes = Double(5 * chunk / 4)
print(String(format: "# relay path CPU per byte: instance and relay %.2f ns, client %.2f ns (the bench's other threads included)",
             relayCPU.instanceAndRelay / relayBytes * 1e9, relayCPU.client / relayBytes * 1e9))
print(String(format: "BENCH proxy_direct_vs_curl %.2f x target>=0.8", median(directSpeeds) / median(curlSpeeds)))
print(String(format: "BENCH proxy_relay_vs_direct %.2f x target>=0.4", median(relaySpeeds) / median(directSpeeds)))

// 2. Play → first segment byte at the player: streaming session, proxy, playlist, first segment.
func firstByte(_ session: ClientSession, movie: String) async throws -> Double {
    let started = ContinuousClock.now
    let playback = try await Playback.start(api: session.api, manager: session.manager, itemID: movie, options: PlaybackOptions(player: .none), logger: quiet)
    guard let url = await playback.current?.url else { fatalError("no URL") }
    let playlist = try run("curl", ["-s", url])
    guard let segment = playlist.split(separator: "\n").first(where: { !$0.hasPrefix("#") && !$0.isEmpty }) else { fatalError("empty playlist") }
    let launched = ContinuousClock.now
    let ttfb = try run("curl", ["-s", "-o", "/dev/null", "-w", "%{time_starttransfer}",
                                URL(string: url)!.deletingLastPathComponent().appendingPathComponent(String(segment)).absoluteString])
    let total = seconds(launched - started) + (Double(ttfb) ?? .nan)
    await playback.stop()
    return total * 1000
}
var relayFirst: [Double] = [], directFirst: [Double] = []
for _ in 0..<5 {
    relayFirst.append(try await firstByte(relaySession, movie: relayClip.id))
    directFirst.append(try await firstByte(directSession, movie: clip.id))
}
print(String(format: "BENCH play_first_byte_relay_ms %.0f ms", median(relayFirst)))
print(String(format: "BENCH play_first_byte_direct_ms %.0f ms", median(directFirst)))

// 2a. Direct play (PROTOCOL.md §14.2.6): play → first media byte at the player, on the direct path.
// The same steps as with mpv — `streamingCandidates` with mpv's device profile, the file route
// checked by one Range byte, the proxy — then the player's first request (curl, Range 0-65535).
func firstByteDirectPlay(_ session: ClientSession, movie: String) async throws -> Double {
    let started = ContinuousClock.now
    let candidates = try await session.api.perform(Operations.streamingCandidates(contentType: "movie", id: movie,
                                                                                  deviceProfile: MPVDeviceProfile.profile))
    guard candidates?.prefersDirectPlay == true else { fatalError("the server did not put direct play first") }
    let playback = try await Playback.start(api: session.api, manager: session.manager, itemID: movie,
                                            options: PlaybackOptions(player: .none, strategy: .directPlay), logger: quiet)
    guard let url = await playback.current?.url, url.contains("/file/") else { fatalError("no direct-play URL") }
    let launched = ContinuousClock.now
    let ttfb = try run("curl", ["-s", "-o", "/dev/null", "-r", "0-65535", "-w", "%{time_starttransfer}", url])
    let total = seconds(launched - started) + (Double(ttfb) ?? .nan)
    await playback.stop()
    return total * 1000
}
var directPlayFirst: [Double] = []
for _ in 0..<5 { directPlayFirst.append(try await firstByteDirectPlay(directSession, movie: clip.id)) }
print(String(format: "BENCH play_first_byte_directplay_ms %.0f ms target<=100", median(directPlayFirst)))

try await firstFrameBench(only: false)


// 2b. URL login (PROTOCOL.md §14.2): process start → `mydia-tui login` done → the first `ls movies`
// page printed by a second process, against the direct server's HTTPS listener (pinned), loopback.
// Argon2id's interactive cost on the server is part of it, as it is for a user.
func addBenchUser(_ users: UserStore) async throws {
    var password = Array("bench password".utf8)
    _ = try await users.add(username: "bench", password: &password, withTOTP: false)
}
try await addBenchUser(directHost.users)
guard let loginTarget = directSession.credentials else { fatalError("the direct session is not a paired one") }
func runClient(_ args: [String], config: String, stdin: String? = nil) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ClientProcess.binary)
    p.arguments = args
    p.environment = ["MYDIA_CONFIG_DIR": config, "XDG_STATE_HOME": config + "/state", "MYDIA_DISCOVERY": "off", "HOME": config]
    let input = Pipe()
    p.standardInput = input
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { fatalError("mydia-tui \(args.prefix(2)) failed with status \(p.terminationStatus)") }
}
var loginTimes: [Double] = []
for round in 0..<8 {
    let config = work.appendingPathComponent("login-client-\(round)").path
    let started = ContinuousClock.now
    try runClient(["login", loginTarget.directURLs[0], "--user", "bench", "--password-stdin", "--pin-sha256",
                   loginTarget.certFingerprint, "--name", "bench"], config: config, stdin: "bench password\n")
    try runClient(["ls", "movies", "--json"], config: config)
    if round > 0 { loginTimes.append(seconds(ContinuousClock.now - started) * 1000) }  // round 0 warms the caches
}
print(String(format: "BENCH login_to_first_page_ms %.0f ms target<=300", median(loginTimes)))

// 3. The client's RSS while a player streams the whole file (> 1 GB) through its proxy on the
// direct path, sampled every 50 ms: a fresh `mydia-tui play` process, as when a user starts one
// (the throughput client above has already pushed 768 MiB at full speed, and its heap shows it).
/// Streams the big file through a fresh client; its memory before, and its peak RSS and anon.
func streamBigFile() async throws -> (idle: (rss: Double, anon: Double, file: Double), peak: (rss: Double, anon: Double)) {
    let streamClient = try ClientProcess.start(store: directStore, itemID: clip.id, state: "direct")
    let childPID = streamClient.process.processIdentifier
    let idle = memoryMB(childPID)
    // Detached: curl below blocks this (main) thread while the sampler runs.
    let sampler = Task.detached { () -> (rss: Double, anon: Double) in
        var peak = (rss: 0.0, anon: 0.0)
        while !Task.isCancelled {
            let m = memoryMB(childPID)
            peak = (max(peak.rss, m.rss), max(peak.anon, m.anon))
            try? await Task.sleep(for: .milliseconds(50))
        }
        return peak
    }
    let streamed = try run("curl", ["-s", "-o", "/dev/null", "-w", "%{size_download}", streamClient.fileURL(big.id)])
    sampler.cancel()
    let peak = await sampler.value
    streamClient.stop()
    guard Int(streamed) == bigSize, bigSize >= 1 << 30 else { fatalError("streamed \(streamed) of \(bigSize) bytes") }
    return (idle, peak)
}
directClient.stop()
let (idle, peak) = try await streamBigFile()
print(String(format: "# streamed %.2f GB through mydia-tui's proxy; before: RSS %.1f MB (anon %.1f, file %.1f); peak anon %.1f MB",
             Double(bigSize) / 1e9, idle.rss, idle.anon, idle.file, peak.anon))
print(String(format: "BENCH stream_1gb_rss_mb %.1f MB target<=40", peak.rss))

try await downloadVsCurl()

await directSession.close()
await relaySession.close()
relayTask.cancel()
exit(0)
