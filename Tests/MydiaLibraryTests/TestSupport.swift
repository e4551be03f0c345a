import Foundation
import MydiaCrypto
import MydiaLibrary
import MydiaWire
import Testing

/// A sample library made once per test process by `Resources/make-sample-library.sh` (real ffmpeg),
/// copied into a fresh temporary folder for each test that wants one.
enum SampleLibrary {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var master: URL?  // guarded by `lock`

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-sample-library.sh")
    }

    /// A fresh copy of the sample library and an empty state folder.
    static func make() throws -> (library: URL, state: URL) {
        let base = try temporaryDirectory()
        let library = base.appendingPathComponent("library")
        try FileManager.default.copyItem(at: try masterCopy(), to: library)
        return (library, base.appendingPathComponent("state"))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mydia-library-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The script's output, shared by test runs: it lives at a path named after the script's own
    /// hash, and the script is idempotent, so a second run only checks that the files exist.
    private static func masterCopy() throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let master { return master }
        let digest = SHA256.hash(Array(try Data(contentsOf: script)))
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mydia-sample-library-\(Encoding.hex(digest.prefix(6)))")
        try run(script.path, [url.path])
        master = url
        return url
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) failed"])
        }
    }
}

/// A scanned sample library with its database, device store and GraphQL service; its temporary
/// folder is removed when the fixture goes away.
final class Fixture: Sendable {
    let root: URL
    let state: URL
    let database: LibraryDatabase
    let library: MediaLibrary
    let devices: DeviceStore
    let service: GraphQLService
    let clock: TestClock

    init(root: URL, state: URL, database: LibraryDatabase, library: MediaLibrary, devices: DeviceStore,
         service: GraphQLService, clock: TestClock) {
        self.root = root
        self.state = state
        self.database = database
        self.library = library
        self.devices = devices
        self.service = service
        self.clock = clock
    }

    deinit { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }

    static func make(scan: Bool = true, streaming: (any StreamingSessionProvider)? = nil,
                     onRevoke: @escaping @Sendable (String) async -> Void = { _ in }) async throws -> Fixture {
        let (root, state) = try SampleLibrary.make()
        let clock = TestClock()
        let database = try LibraryDatabase(stateDirectory: state)
        let library = MediaLibrary(root: root, database: database, now: clock.now)
        let devices = DeviceStore(database: database, now: clock.now)
        let users = UserStore(database: database, now: clock.now)
        let login = LoginAuthority(users: users, devices: devices, now: clock.now)
        let service = try GraphQLService(library: library, devices: devices, streaming: streaming,
                                         version: "1.0.0", minPlayerVersion: "1.0.0", onRevoke: onRevoke, login: login)
        if scan { try await library.rescan() }
        return Fixture(root: root, state: state, database: database, library: library, devices: devices,
                       service: service, clock: clock)
    }

    /// A paired device and its access token.
    func pairedDevice(name: String = "Test Laptop") async throws -> (device: DeviceRecord, token: String, deviceToken: String) {
        let (device, deviceToken) = try await devices.createDevice(name: name, platform: "linux",
                                                                   publicKey: Array(repeating: 7, count: 32))
        let access = try await devices.issueToken(.access, deviceID: device.id)
        return (device, access.token, deviceToken)
    }

    /// Runs a GraphQL request and decodes the JSON answer.
    func graphQL(_ query: String, variables: [String: Any] = [:], bearer: String?, tunnel: String? = nil,
                 profile: DeviceProfile? = nil)
        async throws -> (status: Int, json: [String: Any])
    {
        let body = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let response = await service.execute(body: body, bearer: bearer, tunnelDeviceID: tunnel, deviceProfile: profile,
                                             clientAddress: "192.0.2.7")
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
        return (response.status, json)
    }
}

/// A settable clock for progress ordering and token expiry.
final class TestClock: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_900_000_000)

    var now: @Sendable () -> Date { { [self] in lock.withLock { current } } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// `json["a"]["b"][0]…` for test assertions.
func dig(_ value: Any?, _ path: Any...) -> Any? {
    var current = value
    for step in path {
        if let key = step as? String { current = (current as? [String: Any])?[key] }
        else if let index = step as? Int {
            guard let array = current as? [Any], array.indices.contains(index) else { return nil }
            current = array[index]
        }
    }
    return current
}
