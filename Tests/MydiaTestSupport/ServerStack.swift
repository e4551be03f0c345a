import Foundation
import Logging
import MydiaCrypto
import MydiaRelay
public import MydiaServer
import MydiaTransport
import MydiaTunnel
public import MydiaWire
import Synchronization

/// A real relay and a real server in this process, serving the sample library made by
/// `Resources/make-sample-library.sh` (ffmpeg test patterns), with state in a fresh directory.
public final class ServerStack: Sendable {
    public let relayOrigin: String
    public let host: ServerHost
    private let relayTask: Mutex<Task<Void, any Error>>
    private let hostTask: Task<Void, any Error>

    /// - Parameters:
    ///   - library: the media folder (default: the sample library).
    ///   - configure: last changes to the server's configuration (e.g. `directPort`, `extraDirectURLs`).
    public static func start(approvePairing: Bool = false, library: String? = nil,
                             configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerStack {
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: 0, logger: quiet))
        let relayTask = Task { try await relay.run() }
        let origin = try await withTimeout(.seconds(10)) { try await relay.origin() }

        var config = ServerConfiguration(relay: try RelayOrigin(origin), libraryPath: try library ?? sampleLibrary(),
                                         stateDirectory: NSTemporaryDirectory() + "mydia-server-\(UUID().uuidString)", logger: quiet)
        config.directHost = "127.0.0.1"
        config.instanceName = "Test Wohnzimmer"
        config.approvePairing = approvePairing
        config.printReady = true
        configure(&config)
        let host = try await ServerHost(configuration: config)
        let hostTask = Task { try await host.run() }
        try await withTimeout(.seconds(15)) { await host.link.waitUntilRegistered() }
        return ServerStack(relayOrigin: origin, host: host, relayTask: relayTask, hostTask: hostTask)
    }

    private init(relayOrigin: String, host: ServerHost, relayTask: Task<Void, any Error>, hostTask: Task<Void, any Error>) {
        self.relayOrigin = relayOrigin
        self.host = host
        self.relayTask = Mutex(relayTask)
        self.hostTask = hostTask
    }

    public func stop() async {
        hostTask.cancel()
        _ = await hostTask.result
        let relay = relayTask.withLock { $0 }
        relay.cancel()
        _ = await relay.result
        try? FileManager.default.removeItem(atPath: host.configuration.stateDirectory)
    }

    /// Stops the relay (every socket drops) and starts a fresh one on the same port.
    public func restartRelay() async throws {
        let old = relayTask.withLock { $0 }
        old.cancel()
        _ = await old.result
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let port = try RelayOrigin(relayOrigin).port
        let relay = try RelayServer(configuration: .init(host: "127.0.0.1", port: port, logger: quiet))
        relayTask.withLock { $0 = Task { try await relay.run() } }
        _ = try await withTimeout(.seconds(10)) { try await relay.port() }
    }

    public var instanceID: String { host.identity.instanceID }
    public var instanceKey: [UInt8] { host.identity.staticKey.publicKey }
    public var clientURL: String { try! RelayOrigin(relayOrigin).clientWebSocketURL }

    /// The sample library, made once per machine into the temp directory and reused.
    public static func sampleLibrary() throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/make-sample-library.sh").path
        let dir = NSTemporaryDirectory() + "mydia-server-tests-library"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, dir]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestSocket.Failure.unexpected("sample library script failed") }
        return dir
    }

    /// GET the sealed claim for `code` from the relay (as a client does, §3.3 step 2).
    public func fetchClaim(_ code: String) async throws -> ClaimPayload {
        let keys = SealedClaim.Keys(code: try ClaimCode(code))
        // NIO rather than URLSession: FoundationNetworking would need libcurl to link statically.
        let response = try await RelayHTTP.request("GET", origin: try RelayOrigin(relayOrigin), path: "/pairing/v2/claim/\(keys.lookupHex)")
        guard response.status == 200 else { throw TestSocket.Failure.unexpected("claim GET: HTTP \(response.status)") }
        let sealed = try JSONDecoder().decode(ClaimLookupResponse.self, from: Data(response.body)).sealed
        return try ClaimPayload(decoding: try SealedClaim.open(sealed, keys: keys))
    }
}
