import MydiaConnection
import Foundation
import MydiaAPI
import MydiaCrypto
import MydiaWire
import Testing

@Suite struct CredentialStoreTests {
    @Test func savedCredentialsSurviveReopening() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = CredentialFixtures.credentials(name: "Wohnzimmer")
        try await CredentialStore(directory: dir).save(original)

        let reopened = try CredentialStore(directory: dir)
        let loaded = try #require(await reopened.credentials(instanceID: original.instanceID))
        #expect(loaded.instanceName == "Wohnzimmer")
        #expect(loaded.instancePublicKey == original.instancePublicKey)
        #expect(loaded.certFingerprint == original.certFingerprint)
        #expect(loaded.directURLs == original.directURLs)
        #expect(loaded.relayURL == original.relayURL)
        #expect(loaded.discoveryKey == original.discoveryKey)
        #expect(loaded.deviceKeyPair.publicKey == original.deviceKeyPair.publicKey)
        #expect(loaded.deviceKeyPair.privateKey.constantTimeEquals(original.deviceKeyPair.privateKey))
        #expect(loaded.deviceID == original.deviceID)
        #expect(loaded.deviceToken == original.deviceToken)
        #expect(loaded.accessToken == original.accessToken)
        #expect(loaded.accessExpiresAt == original.accessExpiresAt)
        #expect(loaded.mediaToken == original.mediaToken)
        #expect(loaded.mediaExpiresAt == original.mediaExpiresAt)
        #expect(loaded.pairedAt == original.pairedAt)
    }

    @Test func fileIsOwnerOnlyInOwnerOnlyDirectoryWithNoTempLeftOver() async throws {
        let root = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("nested/mydia-tui", isDirectory: true)
        let store = try CredentialStore(directory: dir)
        #expect(try CredentialFixtures.mode(dir.path) == 0o700)
        try await store.save(CredentialFixtures.credentials(name: "A"))
        try await store.save(CredentialFixtures.credentials(name: "B"))
        #expect(try CredentialFixtures.mode(store.fileURL.path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["servers.json"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: store.fileURL)) as? [String: Any]
        #expect((json?["servers"] as? [Any])?.count == 2)
    }

    @Test func loosePermissionsAreTightenedBeforeUse() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = CredentialFixtures.credentials(name: "Loose")
        let store = try CredentialStore(directory: dir)
        try await store.save(saved)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store.fileURL.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)

        let reopened = try CredentialStore(directory: dir)
        #expect(try CredentialFixtures.mode(dir.path) == 0o700)
        #expect(try CredentialFixtures.mode(reopened.fileURL.path) == 0o600)
        #expect(await reopened.credentials(instanceID: saved.instanceID)?.accessToken == saved.accessToken)
    }

    @Test func symlinkedOrDamagedFileIsRefusedWithASentence() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("servers.json")
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: "/etc/hostname")
        #expect { try CredentialStore(directory: dir) } throws: { error in
            (error as? CredentialStore.Error)?.description.contains("not a regular file") == true
        }
        try FileManager.default.removeItem(at: file)
        try Data("{not json".utf8).write(to: file)
        #expect(throws: CredentialStore.Error.corrupt(path: file.path)) { try CredentialStore(directory: dir) }
    }

    @Test(.enabled(if: getuid() == 0, "giving a file to another user needs root"))
    func aFileOwnedByAnotherUserIsRefused() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CredentialStore(directory: dir)
        try await store.save(CredentialFixtures.credentials(name: "Mine"))
        try FileManager.default.setAttributes([.ownerAccountID: 4242], ofItemAtPath: store.fileURL.path)
        #expect { try CredentialStore(directory: dir) } throws: { error in
            (error as? CredentialStore.Error)?.description.contains("belongs to another user") == true
        }
    }

    @Test func selectionByIDNameOrUniquePrefixDefaultingToLastPaired() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try CredentialStore(directory: dir)
        await #expect(throws: CredentialStore.Error.noServers) { try await store.select() }

        let base = Date(timeIntervalSince1970: 1_900_000_000)
        let living = CredentialFixtures.credentials(name: "Wohnzimmer", pairedAt: base.addingTimeInterval(20))
        let berlin = CredentialFixtures.credentials(name: "Wohnung Berlin", pairedAt: base.addingTimeInterval(10))
        let office = CredentialFixtures.credentials(name: "Office", pairedAt: base)
        let officeCopy = CredentialFixtures.credentials(name: "Office", pairedAt: base)
        for c in [living, berlin, office] { try await store.save(c) }

        #expect(try await store.select().instanceID == living.instanceID)
        #expect(try await store.select(nil).instanceID == living.instanceID)
        #expect(try await store.select(berlin.instanceID.uppercased()).instanceID == berlin.instanceID)
        #expect(try await store.select("OFFICE").instanceID == office.instanceID)
        #expect(try await store.select("wohnung").instanceID == berlin.instanceID)
        #expect(try await store.select("wohnz").instanceID == living.instanceID)
        await #expect(throws: CredentialStore.Error.ambiguous("woh", ["Wohnzimmer", "Wohnung Berlin"])) {
            try await store.select("woh")
        }
        await #expect(throws: CredentialStore.Error.notFound("Garage")) { try await store.select("Garage") }

        try await store.save(officeCopy)
        await #expect { try await store.select("office") } throws: { error in
            guard case .ambiguous(_, let names) = error as? CredentialStore.Error else { return false }
            return names.count == 2
        }
        // Same pairing time: the entry saved last is the default.
        try await store.remove(instanceID: living.instanceID)
        try await store.remove(instanceID: berlin.instanceID)
        #expect(try await store.select().instanceID == officeCopy.instanceID)
    }

    @Test func reconnectReplacesPinsAndTokensOnDisk() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = CredentialFixtures.credentials(name: "Wohnzimmer")
        let store = try CredentialStore(directory: dir)
        try await store.save(original)
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        let grant = HandshakeGrant(
            deviceID: original.deviceID, deviceToken: nil, accessToken: "new-access", accessExpiresAt: now.addingTimeInterval(60),
            mediaToken: "new-media", mediaExpiresAt: now.addingTimeInterval(30), instanceName: "Wohnzimmer\u{1b}[2J neu",
            directURLs: ["https://10.0.0.5:9443", "https://[fd00::5]:9443"], certFingerprint: String(repeating: "CD", count: 32),
            discoveryKey: nil)
        try await store.updateAfterReconnect(instanceID: original.instanceID, grant: grant, now: now)

        let loaded = try #require(await CredentialStore(directory: dir).credentials(instanceID: original.instanceID))
        #expect(loaded.directURLs == ["https://10.0.0.5:9443", "https://[fd00::5]:9443"])
        #expect(loaded.certFingerprint == String(repeating: "cd", count: 32))
        #expect(loaded.instanceName == "Wohnzimmer[2J neu")
        #expect(loaded.accessToken == "new-access" && loaded.mediaToken == "new-media")
        #expect(loaded.accessExpiresAt == now.addingTimeInterval(60))
        #expect(loaded.deviceToken == original.deviceToken)
        #expect(loaded.discoveryKey == original.discoveryKey)
        #expect(loaded.lastUsedAt == now)
        #expect(loaded.instancePublicKey == original.instancePublicKey)
        await #expect(throws: CredentialStore.Error.notFound("nope")) {
            try await store.updateAfterReconnect(instanceID: "nope", grant: grant)
        }
    }

    @Test func unpairRemovesTheServerFromDisk() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = CredentialFixtures.credentials(name: "First", pairedAt: Date(timeIntervalSince1970: 1_900_000_000))
        let second = CredentialFixtures.credentials(name: "Second", pairedAt: Date(timeIntervalSince1970: 1_900_000_100))
        let store = try CredentialStore(directory: dir)
        try await store.save(first)
        try await store.save(second)
        #expect(try await store.remove(instanceID: second.instanceID))
        #expect(try await store.remove(instanceID: second.instanceID) == false)

        let reopened = try CredentialStore(directory: dir)
        #expect(await reopened.all.map(\.instanceID) == [first.instanceID])
        #expect(try await reopened.select().instanceID == first.instanceID)
        #expect(!(try String(contentsOf: store.fileURL, encoding: .utf8)).contains(second.accessToken))
    }

    @Test func aFailedWriteKeepsTheOldFileAndTheOldState() async throws {
        let dir = CredentialFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let kept = CredentialFixtures.credentials(name: "Kept")
        let store = try CredentialStore(directory: dir)
        try await store.save(kept)
        let before = try Data(contentsOf: store.fileURL)

        // Make the directory unusable (a file in its place) so the next write must fail.
        let aside = dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent + "-aside")
        try FileManager.default.moveItem(at: dir, to: aside)
        defer { try? FileManager.default.removeItem(at: aside) }
        try Data("x".utf8).write(to: dir)
        await #expect { try await store.save(CredentialFixtures.credentials(name: "Lost")) } throws: { error in
            (error as? CredentialStore.Error)?.description.contains("is not a directory") == true
        }
        await #expect { try await store.updateAccessToken(instanceID: kept.instanceID, token: "x", expiresAt: Date()) } throws: { _ in true }
        #expect(await store.all.map(\.instanceName) == ["Kept"])
        #expect(await store.all.first?.accessToken == kept.accessToken)

        try FileManager.default.removeItem(at: dir)
        try FileManager.default.moveItem(at: aside, to: dir)
        #expect(try Data(contentsOf: store.fileURL) == before)
    }

    @Test func descriptionRedactsTokensAndKeys() throws {
        let c = CredentialFixtures.credentials(name: "Wohnzimmer")
        let text = "\(c) \(String(describing: [c]))"
        #expect(text.contains("Wohnzimmer") && text.contains(c.instanceID))
        for secret in [c.deviceToken, c.accessToken, c.mediaToken, Encoding.base64(c.deviceKeyPair.privateKey.exposedCopy()),
                       Encoding.base64(c.instancePublicKey), Encoding.hex(c.deviceKeyPair.privateKey.exposedCopy())] {
            #expect(!text.contains(secret))
        }
        #expect(!text.contains("SECRET"))
    }

    @Test func pairingGrantWithoutDeviceTokenIsRefused() {
        let grant = HandshakeGrant(deviceID: "d", deviceToken: nil, accessToken: "a", accessExpiresAt: Date(), mediaToken: "m",
                                   mediaExpiresAt: Date(), instanceName: "X", directURLs: [], certFingerprint: "00",
                                   discoveryKey: nil)
        #expect(throws: CredentialStore.Error.missingDeviceToken) {
            try ServerCredentials(instanceID: "i", instancePublicKey: [UInt8](repeating: 1, count: 32),
                                  relayURL: "https://r.example", deviceKeyPair: X25519KeyPair.generate(), grant: grant)
        }
    }

    @Test func configDirectoryFollowsOverrideThenXDGThenHome() {
        #expect(ConfigDirectory.resolve(environment: ["MYDIA_CONFIG_DIR": "/x/y", "XDG_CONFIG_HOME": "/c", "HOME": "/h"]).path == "/x/y")
        #expect(ConfigDirectory.resolve(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]).path == "/c/mydia-tui")
        #expect(ConfigDirectory.resolve(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]).path == "/h/.config/mydia-tui")
        #expect(ConfigDirectory.resolve(environment: ["MYDIA_CONFIG_DIR": "", "HOME": "/h"]).path == "/h/.config/mydia-tui")
    }
}
