import Foundation
import Logging
import MydiaCrypto
import MydiaDiscovery
public import MydiaLibrary
import MydiaStreaming
import MydiaTunnel
import MydiaWire
import Synchronization

/// The whole home server wired together: state, library, HLS, the API, the direct listener, the
/// relay link, pairing and the operator's control socket. `run()` serves until cancelled.
public final class ServerHost: Sendable {
    public let configuration: ServerConfiguration
    /// Who this instance is (id, keys, certificate).
    public let identity: ServerIdentity
    let state: StateDirectory
    /// The scanned library.
    public let library: MediaLibrary
    /// Paired devices and their tokens.
    public let devices: DeviceStore
    /// Local users (`mydia-server user …`).
    public let users: UserStore
    /// URL login for GraphQL `login` / `verifyTotp` (PROTOCOL.md §14.3).
    public let login: LoginAuthority
    let hls: HLSSessionManager
    let claims: ClaimBook
    let approvals: OperatorApprovals
    let acceptor: HandshakeAcceptor
    /// The instance API both paths serve.
    public let api: InstanceAPI
    let direct: DirectListener
    /// The relay connection.
    public let link: RelayLink
    /// The direct listener's current run, for `stopDirectListener()` (ServerHost+DirectListener.swift).
    let directRun = Mutex<(task: Task<Void, any Error>?, stopped: Bool)>((nil, false))

    public init(configuration: ServerConfiguration) async throws {
        self.configuration = configuration
        let logger = configuration.logger
        state = try StateDirectory(path: configuration.stateDirectory)
        identity = try ServerIdentity.loadOrCreate(
            in: state, name: configuration.instanceName,
            hosts: [configuration.directHost] + configuration.extraDirectURLs.compactMap { URL(string: $0)?.host })
        let database = try LibraryDatabase(stateDirectory: state.url)
        library = MediaLibrary(root: URL(fileURLWithPath: configuration.libraryPath), database: database, logger: logger)
        let summary = try await library.rescan()
        logger.notice("library scanned", metadata: ["movies": "\(summary.movies)", "shows": "\(summary.shows)", "episodes": "\(summary.episodes)"])
        devices = DeviceStore(database: database)
        users = UserStore(database: database)
        login = LoginAuthority(users: users, devices: devices, logger: logger)
        let tools = try FFmpegTools.locate()
        var streaming = HLSSessionManager.Configuration(root: state.file("hls"))
        // Keyframe indices outlive restarts: a Matroska file is scanned once, not once per start.
        streaming.keyframeIndexFolder = state.file("cache").appendingPathComponent("keyframes")
        hls = HLSSessionManager(configuration: streaming, tools: tools, logger: logger)
        let subtitles = SubtitleConverter(
            configuration: .init(cacheDirectory: state.file("cache").appendingPathComponent("subtitles")),
            tools: tools, logger: logger)

        let linkBox = LinkBox()
        let graphQL = try GraphQLService(
            library: library, devices: devices, streaming: HLSStreamingProvider(manager: hls),
            version: MydiaVersion.current, minPlayerVersion: MydiaVersion.minimumPlayer,
            onRevoke: { deviceID in await linkBox.value.withLock { $0 }?.closeSessions(deviceID: deviceID) },
            login: login, generation: configuration.stockGeneration, logger: logger)
        if configuration.stockGeneration != .current {
            logger.notice("answering GraphQL as a stock server of an older generation",
                          metadata: ["generation": "\(configuration.stockGeneration.rawValue)"])
        }
        api = InstanceAPI(instanceID: identity.instanceID, instanceName: identity.instanceName, library: library,
                          devices: devices, graphQL: graphQL, hls: hls, subtitles: subtitles,
                          playerEnabled: configuration.playerEnabled,
                          artwork: ArtworkStore(configuration: .init(cacheDirectory: state.file("cache").appendingPathComponent("artwork"),
                                                                     ffmpeg: tools.ffmpeg),
                                                library: library, logger: logger))
        direct = try DirectListener(host: configuration.directHost, port: configuration.directPort,
                                    certificatePEM: identity.certificate.certificatePEM,
                                    privateKeyPEM: identity.certificate.privateKeyPEM, api: api,
                                    limits: configuration.directListener, logger: logger)
        claims = ClaimBook(instanceID: identity.instanceID, instanceName: identity.instanceName,
                           publicKey: identity.staticKey.publicKey, publisher: try RelayClaimPublisher(currentOrigin: { [relay = configuration.relay] in
                               // §15: the node the link is registered with (the first URL until the link exists).
                               guard let link = linkBox.value.withLock({ $0 }) else { return relay }
                               return await link.currentRelay
                           }, extraTrustAnchorPEM: configuration.relayCAPEM))
        approvals = OperatorApprovals(required: configuration.approvePairing)
        acceptor = HandshakeAcceptor(
            facts: .init(instanceID: identity.instanceID, instanceName: identity.instanceName, staticKey: identity.staticKey,
                         directURLs: [], certFingerprint: identity.fingerprint.hex,
                         discoveryKey: Encoding.base64(identity.discoveryKey.exposedCopy())),
            claims: claims, devices: devices, approver: approvals, logger: logger,
            onPairing: { p in
                ServerEvents.emit(["event": "pairing", "device_name": p.deviceName, "platform": p.platform, "pairing_check": p.pairingCheck],
                                  json: configuration.printReady)
            })
        let relays = [configuration.relay] + configuration.additionalRelays
        link = RelayLink(origins: relays, instanceID: identity.instanceID, staticKey: identity.staticKey,
                         acceptor: acceptor, api: api,
                         tls: relays.contains(where: \.isSecure) ? try RelayTLS.configuration(extraTrustAnchorPEM: configuration.relayCAPEM) : nil,
                         logger: logger)
        linkBox.value.withLock { $0 = link }
    }

    /// Serves until cancelled: direct listener, relay link, HLS reaper, control socket. Prints the
    /// `ready` line once the direct listener listens and the relay accepted the registration.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.runDirectListener() }
            group.addTask { await self.hls.run() }
            group.addTask {
                let control = ControlServer(socketPath: self.state.file("control.sock").path, host: self)
                try await control.run()
            }
            let urls = await currentDirectURLs()
            let port = try await direct.boundPort()
            acceptor.update { $0.directURLs = urls }
            group.addTask { await self.link.run() }
            group.addTask { await self.announceOnLAN(port: port) }
            await link.waitUntilRegistered()
            var ready: [String: Any] = [
                "event": "ready", "instance_id": identity.instanceID, "instance_name": identity.instanceName,
                "public_key": Encoding.base64(identity.staticKey.publicKey), "cert_fingerprint": identity.fingerprint.hex,
                "direct_urls": urls, "direct_port": port, "discovery": configuration.discovery.rawValue,
            ]
            if configuration.claimOnStart {
                let claim = try await issueClaim()
                ready["claim_code"] = claim.code.value
                ready["claim_expires_at"] = WireTime.format(claim.expiresAt)
            }
            ServerEvents.emit(ready, json: configuration.printReady)
            try await group.next()
            group.cancelAll()
        }
    }

    /// LAN discovery (§9) until cancelled. The responder starts over (goodbye, then a fresh
    /// announcement) when the interfaces it should use change, e.g. a new DHCP address. A LAN
    /// without multicast is logged, never fatal: the relay and the direct URLs work without it.
    private func announceOnLAN(port: Int) async {
        guard configuration.discovery != .disabled else {
            // The task group ends when any child ends: stay until cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        let schedule = AdvertisementSchedule(
            mode: configuration.discovery, instanceID: identity.instanceID, instanceName: identity.instanceName,
            discoveryKey: identity.discoveryKey, port: UInt16(clamping: port))
        let configuration = self.configuration
        var warned = false
        while !Task.isCancelled {
            let interfaces = configuration.discoveryInterfaces()
            let warn = !warned
            let responder = MDNSResponder(configuration: .init(interfaces: interfaces), schedule: schedule, logger: configuration.logger)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await responder.run()
                    } catch {
                        if warn { configuration.logger.warning("LAN discovery is off", metadata: ["reason": "\(error)"]) }
                    }
                    // Ended (no interface yet): wait for the interfaces to change.
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(5))
                        if configuration.discoveryInterfaces() != interfaces { return }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            warned = true
        }
    }

    /// The port the direct HTTPS listener is bound to (waits until it is).
    public func directPort() async throws -> Int { try await direct.boundPort() }

    /// The announced `direct_urls` (once the direct listener is bound).
    public func currentDirectURLs() async -> [String] {
        guard let port = try? await direct.boundPort() else { return configuration.extraDirectURLs }
        return configuration.directURLs(port: port)
    }

    /// Issues a pairing code and publishes its sealed claim.
    public func issueClaim() async throws -> ClaimBook.IssuedClaim {
        let claim = try await claims.issue()
        ServerEvents.emit(["event": "claim", "claim_code": claim.code.value, "claim_expires_at": WireTime.format(claim.expiresAt)],
                          json: configuration.printReady)
        return claim
    }

    /// The QR payload for a code (§3.3).
    /// Its relay is the one the link uses now, where the claim was published (§15).
    func qrPayload(for claim: ClaimBook.IssuedClaim, directURLs: [String]) async -> PairingQRPayload {
        PairingQRPayload(relay: await link.currentRelay.httpOrigin, instanceID: identity.instanceID, publicKey: identity.staticKey.publicKey,
                         claimCode: claim.code.value, directURLs: directURLs, certFingerprint: identity.fingerprint.hex)
    }
}

/// Lets the GraphQL revoke hook reach the relay link, which is built after it.
final class LinkBox: Sendable {
    let value = Mutex<RelayLink?>(nil)
}

/// Version strings for `serverCompatibility`.
public enum MydiaVersion {
    public static let current = "0.1.0"
    public static let minimumPlayer = "0.1.0"
}
