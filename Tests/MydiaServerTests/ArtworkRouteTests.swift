import Foundation
import MydiaLibrary
import MydiaServer
import MydiaStreaming
import MydiaTestSupport
import Logging
import Testing

/// `GET /api/v1/artwork/{movie|show}/{id}/poster` on the real `InstanceAPI` over the subtitle
/// library (real ffmpeg clips): a sidecar poster is served as it is; without one, ffmpeg takes a
/// frame at 10 % of the runtime, which is cached and served again without a second run.
@Suite struct ArtworkRouteTests {
    struct Fixture {
        let base: URL
        let api: InstanceAPI
        let access: String
        let media: String
        let plain: MediaFileRecord
        let subtitled: MediaFileRecord
        var cache: URL { base.appendingPathComponent("state/cache/artwork") }

        static func make() async throws -> Fixture {
            let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mydia-artwork-\(UUID().uuidString)")
            let root = base.appendingPathComponent("library")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: MediaRoutesTests.master, to: root)
            let database = try LibraryDatabase(stateDirectory: base.appendingPathComponent("state"))
            let library = MediaLibrary(root: root, database: database)
            try await library.rescan()
            let devices = DeviceStore(database: database)
            let graphQL = try GraphQLService(library: library, devices: devices, streaming: nil, version: "1", minPlayerVersion: "1")
            let tools = try FFmpegTools.locate()
            let artwork = ArtworkStore(configuration: .init(cacheDirectory: base.appendingPathComponent("state/cache/artwork"), ffmpeg: tools.ffmpeg),
                                       library: library, logger: .init(label: "test"))
            let api = InstanceAPI(instanceID: "i", instanceName: "Test", library: library, devices: devices, graphQL: graphQL,
                                  hls: HLSSessionManager(configuration: .init(root: base.appendingPathComponent("hls")), tools: tools),
                                  subtitles: SubtitleConverter(configuration: .init(cacheDirectory: base.appendingPathComponent("subs")), tools: tools),
                                  artwork: artwork)
            let (device, _) = try await devices.createDevice(name: "Test", platform: "linux", publicKey: Array(repeating: 7, count: 32))
            var files: [String: MediaFileRecord] = [:]
            for movie in try await library.movies() {
                for file in try await library.files(itemID: movie.id) { files[file.relativePath] = file }
            }
            return Fixture(base: base, api: api, access: try await devices.issueToken(.access, deviceID: device.id).token,
                           media: try await devices.issueToken(.media, deviceID: device.id).token,
                           plain: try #require(files["Movies/Plain (2021).mp4"]), subtitled: try #require(files["Movies/Subtitled (2020).mkv"]))
        }

        func get(_ target: String, method: String = "GET", bearer: Bool = true) async throws -> (status: Int, headers: [String: String], body: [UInt8]) {
            let response = await api.handle(APIRequest(method: method, target: target, headers: bearer ? ["authorization": "Bearer \(access)"] : [:]))
            guard case .bytes(let body) = response.body else { Issue.record("not a byte body"); return (response.status, response.headers, []) }
            return (response.status, response.headers, body)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: base) }
    }

    @Test func withoutASidecarAFrameIsTakenOnceAndCached() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let path = "/api/v1/artwork/movie/\(f.plain.itemID)/poster"
        let first = try await f.get(path)
        #expect(first.status == 200 && first.headers["content-type"] == "image/jpeg")
        #expect(first.body.starts(with: [0xFF, 0xD8, 0xFF]) && first.body.count > 1000)
        #expect(first.headers["content-length"] == String(first.body.count))
        // A JPEG 480 pixels high (SOF0 carries height then width).
        let sof = try #require((0..<(first.body.count - 8)).first { first.body[$0] == 0xFF && (first.body[$0 + 1] == 0xC0 || first.body[$0 + 1] == 0xC2) })
        #expect(Int(first.body[sof + 5]) << 8 | Int(first.body[sof + 6]) == 480)

        let cached = try FileManager.default.contentsOfDirectory(atPath: f.cache.path).filter { $0.hasSuffix(".jpg") }
        #expect(cached.count == 1)
        let file = f.cache.appendingPathComponent(cached[0]).path
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let before = try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
        try await Task.sleep(for: .milliseconds(20))
        let second = try await f.get(path)
        #expect(second.status == 200 && second.body == first.body)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date == before)  // not taken again

        // The media token works as ?token=; no token is refused; HEAD has no body.
        #expect(try await f.get(path + "?token=\(f.media)", bearer: false).status == 200)
        #expect(try await f.get(path, bearer: false).status == 401)
        let head = try await f.get(path, method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == String(first.body.count))
    }

    @Test func aSidecarPosterIsServedAsItIs() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        let movies = f.plain.url.deletingLastPathComponent()
        let own = [UInt8]([0xFF, 0xD8, 0xFF, 0xE0]) + Array("the plain movie's own poster".utf8)
        try Data(own).write(to: movies.appendingPathComponent("Plain (2021)-poster.jpg"))
        let shared = [UInt8]([0x89, 0x50, 0x4E, 0x47]) + Array("the folder's poster".utf8)
        try Data(shared).write(to: movies.appendingPathComponent("folder.png"))

        let plain = try await f.get("/api/v1/artwork/movie/\(f.plain.itemID)/poster")
        #expect(plain.status == 200 && plain.body == own && plain.headers["content-type"] == "image/jpeg")
        let subtitled = try await f.get("/api/v1/artwork/movie/\(f.subtitled.itemID)/poster")
        #expect(subtitled.status == 200 && subtitled.body == shared && subtitled.headers["content-type"] == "image/png")
        // No frame was taken for either.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: f.cache.path)) ?? []).isEmpty)
    }

    @Test func unknownItemsAndKindsAreNotFound() async throws {
        let f = try await Fixture.make()
        defer { f.cleanUp() }
        #expect(try await f.get("/api/v1/artwork/movie/nope/poster").status == 404)
        #expect(try await f.get("/api/v1/artwork/show/\(f.plain.itemID)/poster").status == 404)
        #expect(try await f.get("/api/v1/artwork/album/\(f.plain.itemID)/poster").status == 404)
        #expect(try await f.get("/api/v1/artwork/movie/\(f.plain.itemID)/backdrop").status == 404)
    }
}
