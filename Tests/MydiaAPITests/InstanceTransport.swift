import MydiaConnection
import Foundation
import Logging
import MydiaAPI
import MydiaCrypto
import MydiaLibrary
import MydiaServer
import MydiaStreaming
import MydiaTestSupport
import Synchronization

/// An `APITransport` straight into the real server's API handler (no network), recording what
/// went through so tests can count requests and see statuses.
final class InstanceTransport: APITransport {
    struct Exchange: Sendable {
        var operationName: String?
        var hadBearer: Bool
        var status: Int
    }

    let api: InstanceAPI
    /// Guarded by the mutex.
    private let log = Mutex<[Exchange]>([])

    init(api: InstanceAPI) { self.api = api }

    var exchanges: [Exchange] { log.withLock { $0 } }

    func send(_ request: APIRequestSpec) async throws -> APIReply {
        let response = await api.handle(APIRequest(method: request.method, target: request.path,
                                                   headers: request.headers, body: request.body))
        var body: [UInt8] = []
        switch response.body {
        case .bytes(let bytes): body = bytes
        case .file(let file): for try await chunk in file { body += chunk }
        case .stream(let stream): for try await chunk in stream { body += chunk }
        }
        let name = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["operationName"] as? String
        log.withLock {
            $0.append(Exchange(operationName: name, hadBearer: request.headers["authorization"] != nil,
                               status: response.status))
        }
        return APIReply(status: response.status, headers: response.headers, body: body)
    }
}

/// A real relay + server with the sample library, a freshly minted device whose credentials are
/// in a temporary store, and an `APIClient` for it.
struct PairedClient: Sendable {
    let stack: ServerStack
    let store: CredentialStore
    let transport: InstanceTransport
    let client: APIClient
    let credentials: ServerCredentials
    let directory: URL

    static func start(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> PairedClient {
        let stack = try await ServerStack.start(configure: configure)
        do {
            let keys = X25519KeyPair.generate()
            let (device, deviceToken) = try await stack.host.devices.createDevice(name: "Test TUI", platform: "linux",
                                                                                   publicKey: keys.publicKey)
            let access = try await stack.host.devices.issueToken(.access, deviceID: device.id)
            let media = try await stack.host.devices.issueToken(.media, deviceID: device.id)
            let now = Date()
            let credentials = ServerCredentials(
                instanceID: stack.instanceID, instanceName: stack.host.identity.instanceName,
                instancePublicKey: stack.instanceKey, certFingerprint: String(repeating: "0", count: 64),
                directURLs: [], relayURL: stack.relayOrigin, discoveryKey: nil, deviceKeyPair: keys,
                deviceID: device.id, deviceToken: deviceToken, accessToken: access.token,
                accessExpiresAt: access.expiresAt, mediaToken: media.token, mediaExpiresAt: media.expiresAt,
                pairedAt: now, lastUsedAt: now)
            let directory = CredentialFixtures.temporaryDirectory()
            var quiet = Logger(label: "test")
            quiet.logLevel = .critical
            let store = try CredentialStore(directory: directory, logger: quiet)
            try await store.save(credentials)
            let transport = InstanceTransport(api: stack.host.api)
            let client = APIClient(transport: transport, store: store, instanceID: stack.instanceID, logger: quiet)
            return PairedClient(stack: stack, store: store, transport: transport, client: client,
                                credentials: credentials, directory: directory)
        } catch {
            await stack.stop()
            throw error
        }
    }

    /// Runs `body` against a fresh paired client and always stops the stack.
    static func with(_ body: (PairedClient) async throws -> Void) async throws {
        let paired = try await start()
        do {
            try await body(paired)
        } catch {
            await paired.stop()
            throw error
        }
        await paired.stop()
    }

    func stop() async {
        await stack.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
