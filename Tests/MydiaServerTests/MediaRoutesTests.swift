import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaServer
import MydiaStreaming
import MydiaTestSupport
import MydiaTransport
import Testing

/// The media side of stock Mydia on the instance API (PROTOCOL.md §14.2.6): direct play with byte
/// ranges, and subtitle tracks as WebVTT — on the real `InstanceAPI` over a library made with real
/// ffmpeg (`Resources/make-subtitle-library.sh`), and once through the real direct listener.
@Suite struct MediaRoutesTests {
    /// The subtitle library, made once per machine and copied per fixture.
    static let master: URL = {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-server-tests-subtitle-library")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-subtitle-library.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path, url.path]
        try? process.run()
        process.waitUntilExit()
        return url
    }()

    /// An `InstanceAPI` over a fresh copy of the library, a device and its tokens.
    struct Fixture {
        let base: URL
        let api: InstanceAPI
        let library: MediaLibrary
        let access: String
        let media: String
        let file: MediaFileRecord
        let plain: MediaFileRecord

        static func make() async throws -> Fixture {
            let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-media-routes-\(UUID().uuidString)")
            let root = base.appendingPathComponent("library")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: master, to: root)
            let database = try LibraryDatabase(stateDirectory: base.appendingPathComponent("state"))
            let library = MediaLibrary(root: root, database: database)
            try await library.rescan()
            let devices = DeviceStore(database: database)
            let graphQL = try GraphQLService(library: library, devices: devices, streaming: nil, version: "1", minPlayerVersion: "1")
            let tools = try FFmpegTools.locate()
            let hls = HLSSessionManager(configuration: .init(root: base.appendingPathComponent("hls")), tools: tools)
            let subtitles = SubtitleConverter(configuration: .init(cacheDirectory: base.appendingPathComponent("state/cache/subtitles")),
                                              tools: tools)
            let api = InstanceAPI(instanceID: "i", instanceName: "Test", library: library, devices: devices, graphQL: graphQL,
                                  hls: hls, subtitles: subtitles)
            let (device, _) = try await devices.createDevice(name: "Test", platform: "linux", publicKey: Array(repeating: 7, count: 32))
            let access = try await devices.issueToken(.access, deviceID: device.id).token
            let media = try await devices.issueToken(.media, deviceID: device.id).token
            var files: [String: MediaFileRecord] = [:]
            for movie in try await library.movies() {
                for file in try await library.files(itemID: movie.id) { files[file.relativePath] = file }
            }
            return Fixture(base: base, api: api, library: library, access: access, media: media,
                           file: try #require(files["Movies/Subtitled (2020).mkv"]), plain: try #require(files["Movies/Plain (2021).mp4"]))
        }

        func get(_ target: String, method: String = "GET", headers: [String: String] = [:], bearer: Bool = true) async throws
            -> (status: Int, headers: [String: String], body: [UInt8])
        {
            var all = headers
            if bearer { all["authorization"] = "Bearer \(access)" }
            let response = await api.handle(APIRequest(method: method, target: target, headers: all))
            var body: [UInt8] = []
            switch response.body {
            case .bytes(let bytes): body = bytes
            case .file(let file): for try await chunk in file { body += chunk }
            case .stream(let stream): for try await chunk in stream { body += chunk }
            }
            return (response.status, response.headers, body)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: base) }
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Direct play

    @Test func directPlayServesTheFileTypedByItsContainerWithRanges() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let bytes = Array(try Data(contentsOf: f.file.url))
        let path = "/api/v1/stream/file/\(f.file.id)?strategy=DIRECT_PLAY"

        let whole = try await f.get(path)
        #expect(whole.status == 200 && whole.body == bytes)
        #expect(whole.headers["content-type"] == "video/x-matroska" && whole.headers["accept-ranges"] == "bytes")
        #expect(whole.headers["content-length"] == String(bytes.count))

        let ranged = try await f.get(path, headers: ["range": "bytes=100-199"])
        #expect(ranged.status == 206 && ranged.body == Array(bytes[100..<200]))
        #expect(ranged.headers["content-range"] == "bytes 100-199/\(bytes.count)")
        let tail = try await f.get(path, headers: ["range": "bytes=-10"])
        #expect(tail.status == 206 && tail.body == Array(bytes.suffix(10)))
        let beyond = try await f.get(path, headers: ["range": "bytes=\(bytes.count)-"])
        #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(bytes.count)")

        let head = try await f.get(path, method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["content-length"] == String(bytes.count) && head.headers["content-type"] == "video/x-matroska")
        let headRange = try await f.get(path, method: "HEAD", headers: ["range": "bytes=0-9"])
        #expect(headRange.status == 206 && headRange.body.isEmpty && headRange.headers["content-length"] == "10")

        // Without the query, and for an MP4.
        #expect(try await f.get("/api/v1/stream/file/\(f.file.id)").status == 200)
        let mp4 = try await f.get("/api/v1/stream/file/\(f.plain.id)?strategy=DIRECT_PLAY", method: "HEAD")
        #expect(mp4.status == 200 && mp4.headers["content-type"] == "video/mp4")

        // The container ffprobe found decides, not the extension.
        let renamed = f.file.url.deletingLastPathComponent().appendingPathComponent("Renamed (2022).avi")
        try FileManager.default.copyItem(at: f.file.url, to: renamed)
        try await f.library.rescan()
        var copy: MediaFileRecord?
        for movie in try await f.library.movies() where movie.title == "Renamed" {
            copy = try await f.library.files(itemID: movie.id).first
        }
        let avi = try #require(copy)
        #expect(avi.container == "mkv")
        let typed = try await f.get("/api/v1/stream/file/\(avi.id)?strategy=DIRECT_PLAY", method: "HEAD")
        #expect(typed.status == 200 && typed.headers["content-type"] == "video/x-matroska")
    }

    @Test func directPlayRefusesOtherStrategiesUnknownFilesAndMissingTokens() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let other = try await f.get("/api/v1/stream/file/\(f.file.id)?strategy=REMUX")
        #expect(other.status == 400 && Self.text(other.body).contains("DIRECT_PLAY"))
        #expect(try await f.get("/api/v1/stream/file/mf_00000000000000000000?strategy=DIRECT_PLAY").status == 404)
        let anonymous = try await f.get("/api/v1/stream/file/\(f.file.id)?strategy=DIRECT_PLAY", bearer: false)
        #expect(anonymous.status == 401 && anonymous.body.count < 200)
        let wrong = try await f.get("/api/v1/stream/file/\(f.file.id)", headers: ["authorization": "Bearer nope"], bearer: false)
        #expect(wrong.status == 401)
        // The media token in the query is accepted, as on the HLS routes.
        let query = try await f.get("/api/v1/stream/file/\(f.file.id)?strategy=DIRECT_PLAY&token=\(f.media)", method: "HEAD", bearer: false)
        #expect(query.status == 200)
    }

    // MARK: Subtitles

    func trackID(_ f: Fixture, _ name: String) -> String {
        SidecarSubtitles.trackID(fileName: "Subtitled (2020)\(name)")
    }

    @Test func sidecarSRTSidecarVTTAndAnEmbeddedTrackAreServedAsWebVTT() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let srt = try await f.get(SubtitleTrack.webVTTPath(fileID: f.file.id, trackID: trackID(f, ".en.srt")))
        #expect(srt.status == 200 && srt.headers["content-type"] == "text/vtt; charset=utf-8")
        #expect(Self.text(srt.body).hasPrefix("WEBVTT") && Self.text(srt.body).contains("Hello from the sidecar"))
        #expect(srt.headers["content-length"] == String(srt.body.count))

        let vttFile = f.file.url.deletingLastPathComponent().appendingPathComponent("Subtitled (2020).en.sdh.vtt")
        let vtt = try await f.get(SubtitleTrack.webVTTPath(fileID: f.file.id, trackID: trackID(f, ".en.sdh.vtt")))
        let original = Array(try Data(contentsOf: vttFile))
        #expect(vtt.status == 200 && vtt.body == original)

        let embedded = try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/2?format=vtt")
        #expect(embedded.status == 200 && Self.text(embedded.body).contains("Hallo <i>Welt</i>"))
        let ass = try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/\(trackID(f, ".eng.forced.ass"))?format=VTT")
        #expect(ass.status == 200 && Self.text(ass.body).contains("Only the sign"))

        // HEAD announces the length without a body; the URL every track reports is this route.
        let head = try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/2?format=vtt", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == String(embedded.body.count))
        for track in f.library.subtitleTracks(of: f.file) where track.deliverable {
            let url = try #require(track.webVTTURL(fileID: f.file.id))
            #expect(try await f.get(url).status == 200, "\(url)")
        }
    }

    @Test func imageTracksAre415UnknownTracks404AndOtherFormats400() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let pgs = try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/3?format=vtt")
        #expect(pgs.status == 415 && pgs.headers["content-type"] == "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(pgs.body)) as? [String: String]
        #expect(json?["error"] == "unsupported_media_type" && json?["message"]?.contains("pgs") == true)

        for target in [
            "/api/player/v1/subtitles/file/\(f.file.id)/9?format=vtt",
            "/api/player/v1/subtitles/file/\(f.file.id)/0?format=vtt",
            "/api/player/v1/subtitles/file/\(f.file.id)/sc_00000000000000000000?format=vtt",
            "/api/player/v1/subtitles/file/\(f.file.id)/..%2F..%2F..%2Fetc%2Fpasswd?format=vtt",
            "/api/player/v1/subtitles/file/\(f.file.id)/Subtitled%20(2020).en.srt?format=vtt",
            "/api/player/v1/subtitles/file/mf_00000000000000000000/2?format=vtt",
            "/api/player/v1/subtitles/file/\(f.plain.id)/2?format=vtt",
        ] {
            let response = try await f.get(target)
            #expect(response.status == 404, "\(target)")
            #expect(Self.text(response.body).contains("not_found"), "\(target)")
        }
        #expect(try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/../2?format=vtt").status == 404)
        #expect(try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/2?format=srt").status == 400)
    }

    @Test func subtitlesNeedTheMediaRoutesAuthentication() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let target = "/api/player/v1/subtitles/file/\(f.file.id)/2?format=vtt"
        let anonymous = try await f.get(target, bearer: false)
        #expect(anonymous.status == 401 && Self.text(anonymous.body).contains("unauthorized"))
        #expect(try await f.get(target, headers: ["authorization": "Bearer \(f.media)"], bearer: false).status == 401,
                "the media token is not an access token")
        #expect(try await f.get(target + "&token=\(f.media)", bearer: false).status == 200)
        #expect(try await f.get(target + "&token=\(f.access)", bearer: false).status == 401, "the access token never goes in a URL")
    }

    @Test func aVTTSidecarThatIsNotWebVTTIs422() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let bad = f.file.url.deletingLastPathComponent().appendingPathComponent("Subtitled (2020).it.vtt")
        try Data("1\n00:00:00,000 --> 00:00:01,000\nciao\n".utf8).write(to: bad)
        let response = try await f.get("/api/player/v1/subtitles/file/\(f.file.id)/\(trackID(f, ".it.vtt"))?format=vtt")
        #expect(response.status == 422 && Self.text(response.body).contains("not valid WebVTT"))
    }

    // MARK: Through the server

    @Test func theRealServerServesSubtitlesAndDirectPlayOverItsListener() async throws {
        let library = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-media-routes-stack-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.master, to: library)
        defer { try? FileManager.default.removeItem(at: library) }
        let stack = try await ServerStack.start(library: library.path)
        defer { Task { await stack.stop() } }
        let port = try #require(await stack.host.currentDirectURLs().first.flatMap(URL.init(string:))?.port)
        let (device, _) = try await stack.host.devices.createDevice(name: "T", platform: "linux", publicKey: Array(repeating: 9, count: 32))
        let token = try await stack.host.devices.issueToken(.access, deviceID: device.id).token
        var file: MediaFileRecord?
        for movie in try await stack.host.library.movies() where file == nil {
            file = try await stack.host.library.files(itemID: movie.id).first { $0.container == "mkv" }
        }
        let mkv = try #require(file)
        let client = try DirectClient(baseURL: "https://127.0.0.1:\(port)", pin: stack.host.identity.fingerprint)

        let vtt = try await client.request(method: "GET", path: "/api/player/v1/subtitles/file/\(mkv.id)/2?format=vtt", bearer: token)
        #expect(vtt.status == 200 && vtt[header: "content-type"] == "text/vtt; charset=utf-8")
        #expect(Self.text(try await vtt.body.collect()).contains("Zweite Zeile"))
        let cache = URL(fileURLWithPath: stack.host.configuration.stateDirectory).appendingPathComponent("cache/subtitles")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".vtt") }.count == 1)

        let ranged = try await client.request(method: "GET", path: "/api/v1/stream/file/\(mkv.id)?strategy=DIRECT_PLAY",
                                              headers: ["Range": "bytes=0-3"], bearer: token)
        #expect(ranged.status == 206 && ranged[header: "content-type"] == "video/x-matroska")
        #expect(try await ranged.body.collect() == [0x1A, 0x45, 0xDF, 0xA3], "the EBML magic")
        let head = try await client.request(method: "HEAD", path: "/api/v1/stream/file/\(mkv.id)?strategy=DIRECT_PLAY", bearer: token)
        #expect(head.status == 200 && head[header: "content-length"] == String(mkv.size))
    }
}
