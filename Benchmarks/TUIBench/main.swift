// TUIBench: `make bench` figures for the curses front end (release build).
//
//   BENCH tui_keystroke_frame_ms_10k <median> ms target<=16
//       A 10 000-movie synthetic catalogue on the Movies screen; per key press (j, k, PageDown,
//       G, g in a fixed pattern): the reducer, the full frame render, and drawing that frame into
//       real curses on a pseudo-terminal (wrefresh included; a thread drains the pty). Posters on:
//       every movie has one of 40 decoded posters, drawn in the detail pane with symbols
//       (`_posters_off`: none; `_sixel`/`_kitty`: the sequence written on each selection change).
//   BENCH poster_first_draw_ms_uncached / _cached <median> ms
//       A real server in process over the loopback direct path; the selected movie's poster from
//       the reducer's request through the fetch (API client with bearer, disk cache — empty, or
//       holding the file), decoding, chafa rendering and the curses draw of the frame with it.
//       `poster_first_draw_ms_server_grab`: the same when the server takes its ffmpeg frame first.
//   BENCH tui_first_frame_cached_ms <median> ms
//       The real `mydia-tui` binary started in a pseudo-terminal with a paired server (whose relay
//       does not answer) and that catalogue saved to its cache (which keeps the first
//       `CatalogCache.itemsPerList` = 1000 movies): exec until the first frame, with the
//       "cached · …" marker, reaches the terminal.
//   BENCH tui_cache_load_ms <median> ms
//       The part of that spent reading and decoding the cache file.
import CNcurses
import Foundation
import MydiaAPI
import MydiaTUI

setlocale(LC_ALL, "C.UTF-8")

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(Int(Double(sorted.count - 1) * p), sorted.count - 1)]
}

func ms(_ d: Duration) -> Double { (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000 }

/// A pty of rows × columns; a thread reads (and optionally keeps) everything written to it.
final class PTY: @unchecked Sendable {  // `output` is guarded by `lock`
    let master: Int32
    let slave: Int32
    private let lock = NSLock()
    private var output = [UInt8]()

    init(rows: Int, columns: Int) {
        var m: Int32 = 0, s: Int32 = 0
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&m, &s, nil, nil, &size) == 0 else { fatalError("openpty failed: \(String(cString: strerror(errno)))") }
        master = m
        slave = s
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }
                lock.lock()
                output += buffer[0..<n]
                if output.count > 1 << 20 { output.removeFirst(output.count - (1 << 16)) }
                lock.unlock()
            }
        }
        thread.start()
    }

    func contains(_ text: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let needle = Array(text.utf8)
        guard output.count >= needle.count else { return false }
        return output.withUnsafeBufferPointer { hay in
            for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
                if Array(hay[i..<(i + needle.count)]) == needle { return true }
            }
            return false
        }
    }

    func reset() {
        lock.lock()
        output = []
        lock.unlock()
    }
}

// MARK: keystroke → frame, 10 000 items

let pages = try SyntheticCatalog.moviePages(count: 10_000, pageSize: 100)
var catalog = CachedCatalog(savedAt: Date(timeIntervalSinceNow: -600))
for page in pages { catalog.movies.append(page, replacing: false) }

do {
    let on = try keystrokeFrames(catalog, mode: .symbols)
    print(String(format: "BENCH tui_keystroke_frame_ms_10k %.3f ms target<=16", percentile(on, 0.5)))
    print(String(format: "BENCH tui_keystroke_frame_p95_ms_10k %.3f ms target<=16", percentile(on, 0.95)))
    for mode in [GraphicsMode.sixel, .kitty] {
        let samples = try keystrokeFrames(catalog, mode: mode)
        print(String(format: "BENCH tui_keystroke_frame_ms_10k_\(mode.rawValue) %.3f ms target<=16", percentile(samples, 0.5)))
        print(String(format: "BENCH tui_keystroke_frame_p95_ms_10k_\(mode.rawValue) %.3f ms target<=16", percentile(samples, 0.95)))
    }
}

do {
    let (uncached, cached, grab) = try await posterFirstDraw()
    print(String(format: "BENCH poster_first_draw_ms_uncached %.2f ms", percentile(uncached, 0.5)))
    print(String(format: "BENCH poster_first_draw_ms_cached %.2f ms", percentile(cached, 0.5)))
    print(String(format: "BENCH poster_first_draw_ms_server_grab %.1f ms", percentile(grab, 0.5)))
}

do {
    let rows = 50, columns = 160
    let pty = PTY(rows: rows, columns: columns)
    let screen = try CursesScreen(input: pty.slave, output: pty.slave, theme: .dark, environment: ["TERM": "xterm-256color"])
    var state = AppState(rows: rows, columns: columns, paired: true, cached: catalog, playbackAvailable: true)
    _ = state.reduce(.sessionOpened(serverName: "Bench", relay: "https://relay.example.org"))
    _ = state.reduce(.key(.character("2")))
    screen.draw(Renderer.frame(state))
    let pattern: [Key] = Array(repeating: .character("j"), count: 30) + [.pageDown, .pageDown, .character("k"), .character("G"), .character("k"), .character("g")]
    var samples: [Double] = []
    for i in 0..<3000 {
        let key = pattern[i % pattern.count]
        let start = ContinuousClock.now
        _ = state.reduce(.key(key))
        let frame = Renderer.frame(state)
        screen.draw(frame)
        if i >= 200 { samples.append(ms(ContinuousClock.now - start)) }  // after warm-up
    }
    screen.end()
    print(String(format: "BENCH tui_keystroke_frame_ms_10k_posters_off %.3f ms", percentile(samples, 0.5)))
    print(String(format: "BENCH tui_keystroke_frame_p95_ms_10k_posters_off %.3f ms", percentile(samples, 0.95)))
}

// MARK: start → first frame from the cache (the real binary)

func firstFrameFromCache(_ catalog: CachedCatalog) throws -> Double? {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mydia-tui").path
    guard FileManager.default.isExecutableFile(atPath: bin) else {
        print("TUIBench: \(bin) is missing — build the mydia-tui product first; tui_first_frame_cached_ms skipped")
        return nil
    }
    let dir = NSTemporaryDirectory() + "mydia-tui-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let instanceID = UUID().uuidString.lowercased()
    func key() -> String { Data((0..<32).map { _ in UInt8.random(in: 1...255) }).base64EncodedString() }
    let now = ISO8601DateFormatter().string(from: Date())
    let later = ISO8601DateFormatter().string(from: Date(timeIntervalSinceNow: 3600))
    // A paired server whose relay (port 1) does not answer: the UI starts from the cache alone.
    let servers: [String: Any] = ["version": 1, "servers": [[
        "instance_id": instanceID, "instance_name": "Bench server", "instance_public_key": key(),
        "cert_fingerprint": String(repeating: "ab", count: 32), "direct_urls": [String](), "relay_url": "http://127.0.0.1:1",
        "device_private_key": key(), "device_id": UUID().uuidString.lowercased(), "device_token": "bench-device-token",
        "access_token": "bench-access-token", "access_expires_at": later, "media_token": "bench-media-token",
        "media_expires_at": later, "paired_at": now, "last_used_at": now,
    ]]]
    try FileManager.default.createDirectory(atPath: dir + "/config", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let file = dir + "/config/servers.json"
    try JSONSerialization.data(withJSONObject: servers).write(to: URL(fileURLWithPath: file))
    chmod(file, 0o600)
    try CatalogCache(directory: URL(fileURLWithPath: dir + "/cache")).save(catalog, instanceID: instanceID)

    // What part of it is reading the 10 000-item cache file.
    var decode: [Double] = []
    for _ in 0..<5 {
        let start = ContinuousClock.now
        _ = CatalogCache(directory: URL(fileURLWithPath: dir + "/cache")).load(instanceID: instanceID)
        decode.append(ms(ContinuousClock.now - start))
    }
    print(String(format: "BENCH tui_cache_load_ms %.1f ms", percentile(decode, 0.5)))

    var samples: [Double] = []
    for _ in 0..<10 {
        let pty = PTY(rows: 40, columns: 120)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_adddup2(&actions, pty.slave, fd) }
        let env = ["TERM=xterm-256color", "LANG=C.UTF-8", "MYDIA_CONFIG_DIR=\(dir)/config", "MYDIA_CACHE_DIR=\(dir)/cache",
                   "XDG_STATE_HOME=\(dir)/state", "HOME=\(dir)", "PATH=/usr/bin:/bin"]
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(bin), nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let start = ContinuousClock.now
        guard posix_spawn(&pid, bin, &actions, nil, &argv, &envp) == 0 else { fatalError("spawn failed") }
        let deadline = start + .seconds(20)
        var took: Double?
        while ContinuousClock.now < deadline {
            if pty.contains("cached") { took = ms(ContinuousClock.now - start); break }
            usleep(200)
        }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let exitBy = ContinuousClock.now + .seconds(10)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > exitBy {
                print("TUIBench: mydia-tui did not exit within 10 s of SIGTERM (killed)")
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        posix_spawn_file_actions_destroy(&actions)
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        close(pty.slave)
        close(pty.master)
        guard let took else { print("TUIBench: no first frame within 20 s"); return nil }
        samples.append(took)
    }
    return percentile(samples, 0.5)
}

if let first = try firstFrameFromCache(catalog) {
    print(String(format: "BENCH tui_first_frame_cached_ms %.1f ms", first))
}
