import MydiaConnection
import Foundation
import MydiaAPI
import MydiaCrypto

/// Temporary config directories and sample credentials for the store tests.
enum CredentialFixtures {
    static func temporaryDirectory() -> URL {
        URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("mydia-api-tests-\(UUID().uuidString)", isDirectory: true)
    }

    static func credentials(name: String, id: String = UUID().uuidString.lowercased(),
                            pairedAt: Date = Date(timeIntervalSince1970: 1_900_000_000)) -> ServerCredentials {
        ServerCredentials(
            instanceID: id, instanceName: name, instancePublicKey: X25519KeyPair.generate().publicKey,
            certFingerprint: String(repeating: "ab", count: 32), directURLs: ["https://192.168.1.20:8443"],
            relayURL: "https://relay.example.org", discoveryKey: Encoding.base64([UInt8](repeating: 7, count: 32)),
            deviceKeyPair: X25519KeyPair.generate(), deviceID: UUID().uuidString.lowercased(),
            deviceToken: "device-token-SECRET-\(UUID().uuidString)", accessToken: "access-SECRET-\(UUID().uuidString)",
            accessExpiresAt: pairedAt.addingTimeInterval(30 * 86400), mediaToken: "media-SECRET-\(UUID().uuidString)",
            mediaExpiresAt: pairedAt.addingTimeInterval(86400), pairedAt: pairedAt, lastUsedAt: pairedAt)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
