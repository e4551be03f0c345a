import Foundation
import Logging
import MydiaAPI
import MydiaClient
import MydiaCrypto
import MydiaLibrary
import MydiaRelay
import MydiaServer
import MydiaStreaming
import MydiaSystem
import MydiaWire

/// `make bench` (server and client part):
/// - direct-play throughput of the server's HTTPS listener next to a reference static TLS file
///   server (`openssl s_server -WWW`) serving the same file, both fetched by curl in the same run,
///   interleaved: `BENCH direct_segment_vs_curl <ratio> x`;
/// - HLS_COPY start-up on a 2-hour file against a 30 s clip (`HLSStartBench`, PROTOCOL.md §14.4);
///   `mydia-server-bench --hls-only` runs just that;
/// - process start → first `mydia-tui ls movies --json` page over the relay, already paired, on
///   loopback, median of repeated runs: `BENCH first_page_over_relay_ms <n> ms target<=150`;
/// - the ConnectionManager's swap and fallback latencies (`SwapBench`).
@main
struct ServerBench {
    static func main() async throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-server-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        try await HLSStartBench.run(work: work)
        if CommandLine.arguments.contains("--hls-only") { return }
        let movies = work.appendingPathComponent("library/Movies")
        try FileManager.default.createDirectory(at: movies, withIntermediateDirectories: true)
        let file = movies.appendingPathComponent("Bench (2020).mkv")
        // ~70 MB of uncompressed video: large enough to measure, quick to make, and a real media file.
        try run("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "20",
                                    "-c:v", "rawvideo", "-pix_fmt", "yuv420p", file.path])

        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let relayTask = Task { try await relay.run() }
        var config = ServerConfiguration(relay: try RelayOrigin(try await relay.origin()), libraryPath: work.appendingPathComponent("library").path,
                                         stateDirectory: work.appendingPathComponent("state").path, logger: quiet)
        config.directHost = "127.0.0.1"
        let host = try await ServerHost(configuration: config)
        let hostTask = Task { try await host.run() }
        await host.link.waitUntilRegistered()
        defer { hostTask.cancel(); relayTask.cancel() }

        let (device, _) = try await host.devices.createDevice(name: "bench", platform: "bench", publicKey: Array(repeating: 7, count: 32))
        let token = try await host.devices.issueToken(.access, deviceID: device.id).token
        guard let fileID = try await firstFileID(host) else { fatalError("the bench file was not scanned") }
        let headers = work.appendingPathComponent("headers")
        // The token reaches curl through a 0600 header file, never its argv.
        _ = FileManager.default.createFile(atPath: headers.path, contents: Data("Authorization: Bearer \(token)\n".utf8), attributes: [.posixPermissions: 0o600])
        let direct = "\(await host.currentDirectURLs()[0])/api/v1/stream/file/\(fileID)"

        // Reference: openssl's static TLS file server on the same file.
        let certificate = work.appendingPathComponent("state/tls-cert.pem").path, key = work.appendingPathComponent("state/tls-key.pem").path
        let port = 40_000 + Int(getpid() % 20_000)
        // s_server -WWW does not decode %20, so it serves a plainly named link to the same file, from
        // the folder it is started in (`-WWW` serves paths relative to it: given by `cd` in `sh`).
        let plain = work.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        try FileManager.default.linkItem(at: file, to: plain.appendingPathComponent("bench.mkv"))
        // A ChildProcess, not Foundation's Process: a child that Process starts from async code has
        // SIGTERM blocked, and the reference server outlived every bench run (PROTOCOL.md §13.76).
        let reference = try ChildProcess(
            executable: "/bin/sh",
            arguments: ["-c", "cd \"$0\" && exec /usr/bin/openssl s_server -WWW -quiet -accept \"$1\" -cert \"$2\" -key \"$3\"",
                        plain.path, "\(port)", certificate, key],
            environment: ["PATH": "/usr/bin:/bin"])
        defer { reference.send(SIGTERM) }
        try await Task.sleep(for: .milliseconds(500))
        let referenceURL = "https://127.0.0.1:\(port)/bench.mkv"
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0

        var ours: [Double] = [], theirs: [Double] = []
        for _ in 0..<5 {
            ours.append(try curlSpeed(direct, headerFile: headers.path, expectedSize: size))
            theirs.append(try curlSpeed(referenceURL, headerFile: nil, expectedSize: size))
        }
        let a = median(ours) / 1e6, b = median(theirs) / 1e6
        print("BENCH direct_file_mb_s \(round1(a)) MB/s")
        print("BENCH openssl_static_file_mb_s \(round1(b)) MB/s")
        print("BENCH direct_segment_vs_curl \(round2(a / b)) x")

        // Pair a client once, then time whole `mydia-tui ls movies --json` processes.
        let clientConfig = work.appendingPathComponent("client").path
        let claim = try await host.issueClaim()
        _ = try await Pairing.pair(code: claim.code.value, relay: try await relay.origin(), deviceName: "bench",
                                   store: try CredentialStore(directory: URL(fileURLWithPath: clientConfig), logger: quiet), logger: quiet)
        let tui = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mydia-tui").path
        var times: [Double] = []
        for _ in 0..<15 {
            let started = ContinuousClock.now
            let out = try run(tui, ["ls", "movies", "--json"], environment: ["MYDIA_CONFIG_DIR": clientConfig, "XDG_STATE_HOME": work.path])
            let d = ContinuousClock.now - started
            guard out.hasPrefix("[") else { fatalError("ls failed: \(out)") }
            times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        print("BENCH first_page_over_relay_ms \(round1(median(times))) ms target<=150")

        try await SwapBench.run(library: work.appendingPathComponent("library").path, work: work)
    }

    static func firstFileID(_ host: ServerHost) async throws -> String? {
        let (device, _) = try await host.devices.createDevice(name: "q", platform: "q", publicKey: Array(repeating: 9, count: 32))
        let token = try await host.devices.issueToken(.access, deviceID: device.id).token
        let query = #"{"query":"{ movies(first: 1) { edges { node { files { id } } } } }"}"#
        let response = await host.api.handle(APIRequest(method: "POST", target: "/api/graphql",
                                                        headers: ["authorization": "Bearer \(token)"], body: Array(query.utf8)))
        guard case .bytes(let body) = response.body,
              let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let edges = ((json["data"] as? [String: Any])?["movies"] as? [String: Any])?["edges"] as? [[String: Any]],
              let files = (edges.first?["node"] as? [String: Any])?["files"] as? [[String: Any]]
        else { return nil }
        return files.first?["id"] as? String
    }

    /// Bytes per second as curl measured them.
    static func curlSpeed(_ url: String, headerFile: String?, expectedSize: Int) throws -> Double {
        var args = ["-sk", "-o", "/dev/null", "-w", "%{speed_download} %{http_code} %{size_download}"]
        if let headerFile { args += ["-H", "@\(headerFile)"] }
        let out = try run("/usr/bin/curl", args + [url])
        let parts = out.split(separator: " ")
        guard parts.count == 3, parts[1] == "200", Int(parts[2]) == expectedSize, let speed = Double(parts[0]) else {
            fatalError("curl \(url) failed: \(out)")
        }
        return speed
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fatalError("\(tool) exited with \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    static func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
