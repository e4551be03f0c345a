import Foundation
import Hummingbird
import MydiaCrypto
import MydiaLibrary
import MydiaWire
import NIOCore

/// The operator's control socket: HTTP on `<state-dir>/control.sock` (mode 0600 inside the 0700
/// state directory), used by `mydia-server claim|devices|revoke|approve|deny`.
struct ControlServer {
    let socketPath: String
    let host: ServerHost

    func run() async throws {
        unlink(socketPath)
        let router = Router()
        let host = self.host
        router.post("/claim") { _, _ -> Response in
            do {
                let claim = try await host.issueClaim()
                let urls = await host.currentDirectURLs()
                return Self.json(200, [
                    "claim_code": claim.code.value, "claim_expires_at": WireTime.format(claim.expiresAt),
                    "qr": await host.qrPayload(for: claim, directURLs: urls).encoded(),
                ])
            } catch {
                return Self.json(502, ["error": "claim_failed", "message": "\(error)"])
            }
        }
        router.get("/devices") { _, _ -> Response in
            let list = (try? await host.devices.listDevices()) ?? []
            return Self.json(200, ["devices": list.map { d in
                ["id": d.id, "name": d.name, "platform": d.platform, "created_at": WireTime.format(d.createdAt),
                 "last_seen_at": WireTime.format(d.lastSeenAt), "revoked": d.revoked] as [String: Any]
            }])
        }
        router.post("/devices/:id/revoke") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard (try? await host.devices.revokeDevice(id: id)) == true else {
                return Self.json(404, ["error": "not_found", "message": "No device with id \(id)."])
            }
            await host.link.closeSessions(deviceID: id)
            return Self.json(200, ["revoked": id])
        }
        router.get("/pairings") { _, _ -> Response in
            Self.json(200, ["pending": host.approvals.waiting.map { ["device_name": $0.deviceName, "pairing_check": $0.pairingCheck] }])
        }
        router.post("/pairings/:check/:verdict") { _, context -> Response in
            let check = context.parameters.get("check") ?? "", verdict = context.parameters.get("verdict") ?? ""
            guard verdict == "approve" || verdict == "deny" else { return Self.json(404, ["error": "not_found", "message": "approve or deny"]) }
            guard host.approvals.answer(check: check, approved: verdict == "approve") else {
                return Self.json(404, ["error": "not_found", "message": "No pairing with check \(check) is waiting."])
            }
            return Self.json(200, [verdict: check])
        }
        let path = socketPath
        let app = Application(
            router: router, configuration: .init(address: .unixDomainSocket(path: path)),
            onServerRunning: { _ in chmod(path, 0o600) }, logger: host.configuration.logger)
        try await app.run()
    }

    static func json(_ status: Int, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
