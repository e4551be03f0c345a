import Foundation
import GRDB
import MydiaCrypto
import MydiaLibrary
import Testing

@Suite struct DeviceStoreTests {
    let key = Array(repeating: UInt8(7), count: 32)

    @Test func createdDeviceStoresOnlyTheTokenHash() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, token) = try await f.devices.createDevice(name: "Laptop\u{1b}[2J", platform: "linux", publicKey: key)
        #expect(device.name == "Laptop[2J")
        #expect(token.hasPrefix(device.id + "."))
        let secret = try #require(Encoding.fromBase64URL(token.dropFirst(device.id.count + 1)))
        #expect(secret.count == 32)
        let stored = try await f.database.queue.read { db in
            try Data.fetchOne(db, sql: "SELECT token_hash FROM devices")
        }
        #expect(stored.map(Array.init) == SHA256.hash(Array(token.utf8)))
        let dump = try Data(contentsOf: f.state.appendingPathComponent("mydia.sqlite"))
        #expect(dump.range(of: Data(token.utf8)) == nil)
        await #expect(throws: DeviceStore.Error.invalidPublicKey) {
            try await f.devices.createDevice(name: "x", platform: "y", publicKey: [1, 2, 3])
        }
    }

    @Test func reconnectChecksKeyThenTokenThenRevocation() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, token) = try await f.devices.createDevice(name: "Laptop", platform: "linux", publicKey: key)
        f.clock.advance(60)
        let ok = try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: key, deviceToken: token)
        #expect(ok.id == device.id)
        #expect(ok.lastSeenAt == device.createdAt.addingTimeInterval(60))

        var otherKey = key
        otherKey[31] ^= 1
        await #expect(throws: DeviceStore.Error.keyMismatch) {
            try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: otherKey, deviceToken: token)
        }
        // A wrong key fails even with a wrong token: the key is checked first.
        await #expect(throws: DeviceStore.Error.keyMismatch) {
            try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: otherKey, deviceToken: "x")
        }
        await #expect(throws: DeviceStore.Error.tokenMismatch) {
            try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: key, deviceToken: token + "A")
        }
        await #expect(throws: DeviceStore.Error.deviceUnknown) {
            try await f.devices.authenticateReconnect(deviceID: UUID().uuidString.lowercased(), staticKey: key,
                                                      deviceToken: token)
        }
        #expect(try await f.devices.revokeDevice(id: device.id))
        await #expect(throws: DeviceStore.Error.deviceRevoked) {
            try await f.devices.authenticateReconnect(deviceID: device.id, staticKey: key, deviceToken: token)
        }
        #expect(DeviceStore.Error.deviceRevoked.wireError == "device_revoked")
        #expect(DeviceStore.Error.deviceUnknown.wireError == "device_unknown")
        #expect(DeviceStore.Error.tokenMismatch.wireError == "auth_failed")
        #expect(try await f.devices.revokeDevice(id: UUID().uuidString.lowercased()) == false)
    }

    @Test func accessAndMediaTokensExpireAndAreKindBound() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, _) = try await f.devices.createDevice(name: "Laptop", platform: "linux", publicKey: key)
        let access = try await f.devices.issueToken(.access, deviceID: device.id)
        let media = try await f.devices.issueToken(.media, deviceID: device.id)
        #expect(access.expiresAt.timeIntervalSince(f.clock.now()) == 30 * 24 * 3600)
        #expect(media.expiresAt.timeIntervalSince(f.clock.now()) == 24 * 3600)
        #expect(access.token != media.token)

        #expect(try await f.devices.validate(access.token, kind: .access).id == device.id)
        #expect(try await f.devices.validate(media.token, kind: .media).id == device.id)
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(media.token, kind: .access) }
        await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate("nope", kind: .access) }

        f.clock.advance(24 * 3600 + 1)
        await #expect(throws: DeviceStore.Error.tokenExpired) { try await f.devices.validate(media.token, kind: .media) }
        // A bearer check refreshes lastSeenAt (at most once a minute).
        #expect(try await f.devices.validate(access.token, kind: .access).lastSeenAt == f.clock.now())
        f.clock.advance(10)
        #expect(try await f.devices.validate(access.token, kind: .access).lastSeenAt == f.clock.now().addingTimeInterval(-10))
        f.clock.advance(29 * 24 * 3600)
        await #expect(throws: DeviceStore.Error.tokenExpired) { try await f.devices.validate(access.token, kind: .access) }
    }

    @Test func refreshIssuesNewTokensAndRevocationKillsThem() async throws {
        let f = try await Fixture.make(scan: false)
        let (device, deviceToken) = try await f.devices.createDevice(name: "Laptop", platform: "linux", publicKey: key)
        let refreshed = try await f.devices.refreshAccessToken(deviceToken: deviceToken)
        #expect(try await f.devices.validate(refreshed.token, kind: .access).id == device.id)
        await #expect(throws: DeviceStore.Error.tokenMismatch) {
            try await f.devices.refreshAccessToken(deviceToken: device.id + ".wrong")
        }
        await #expect(throws: DeviceStore.Error.deviceUnknown) {
            try await f.devices.refreshAccessToken(deviceToken: "garbage")
        }

        // An expired media token can be exchanged by its own device; the old one is retired.
        let media = try await f.devices.issueToken(.media, deviceID: device.id)
        f.clock.advance(2 * 24 * 3600)
        let bearer = try await f.devices.validate(refreshed.token, kind: .access)
        let newMedia = try await f.devices.refreshMediaToken(current: media.token, bearerDevice: bearer)
        #expect(try await f.devices.validate(newMedia.token, kind: .media).id == device.id)
        await #expect(throws: DeviceStore.Error.tokenInvalid) {
            try await f.devices.refreshMediaToken(current: media.token, bearerDevice: bearer)
        }
        // Another device's bearer cannot refresh it.
        let (other, _) = try await f.devices.createDevice(name: "Phone", platform: "ios", publicKey: key)
        await #expect(throws: DeviceStore.Error.tokenInvalid) {
            try await f.devices.refreshMediaToken(current: newMedia.token, bearerDevice: other)
        }

        try await f.devices.revokeDevice(id: device.id)
        await #expect(throws: DeviceStore.Error.self) { try await f.devices.validate(refreshed.token, kind: .access) }
        await #expect(throws: DeviceStore.Error.deviceRevoked) {
            try await f.devices.refreshAccessToken(deviceToken: deviceToken)
        }
        await #expect(throws: DeviceStore.Error.deviceRevoked) { try await f.devices.issueToken(.access, deviceID: device.id) }
        let credentials = try await f.devices.issueCredentials(deviceID: other.id)
        #expect(try await f.devices.validate(credentials.access.token, kind: .access).id == other.id)
        #expect(try await f.devices.validate(credentials.media.token, kind: .media).id == other.id)
        let listed = try await f.devices.listDevices()
        #expect(listed.map(\.name) == ["Laptop", "Phone"])
        #expect(listed.map(\.revoked) == [true, false])
    }

    /// Two token rows per handshake must not pile up: each issue deletes the tokens that expired
    /// more than a week ago, and keeps those still refreshable.
    @Test func issuingATokenDeletesTokensExpiredMoreThanAWeekAgo() async throws {
        let f = try await Fixture.make(scan: false)
        let day: TimeInterval = 24 * 3600
        func rows() async throws -> Int {
            try await f.database.queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tokens") ?? -1 }
        }
        let (device, _) = try await f.devices.createDevice(name: "Laptop", platform: "linux", publicKey: key)
        let first = try await f.devices.issueCredentials(deviceID: device.id)  // access: 30 days, media: 1 day
        #expect(try await rows() == 2)

        f.clock.advance(9 * day)  // the first media token expired 8 days ago
        let second = try await f.devices.issueCredentials(deviceID: device.id)
        #expect(try await rows() == 3)
        await #expect(throws: DeviceStore.Error.tokenInvalid) {
            try await f.devices.validate(first.media.token, kind: .media, allowExpired: true)
        }
        #expect(try await f.devices.validate(first.access.token, kind: .access).id == device.id)

        f.clock.advance(7 * day)  // the second media token expired 6 days ago: still refreshable
        let refreshed = try await f.devices.refreshMediaToken(current: second.media.token, bearerDevice: device)
        #expect(try await rows() == 3)

        f.clock.advance(32 * day)  // every token so far expired more than a week ago
        let last = try await f.devices.issueToken(.access, deviceID: device.id)
        #expect(try await rows() == 1)
        for (token, kind) in [(first.access.token, DeviceStore.TokenKind.access), (second.access.token, .access), (refreshed.token, .media)] {
            await #expect(throws: DeviceStore.Error.tokenInvalid) { try await f.devices.validate(token, kind: kind, allowExpired: true) }
        }
        #expect(try await f.devices.validate(last.token, kind: .access).id == device.id)

        f.clock.advance(38 * day)
        try await f.devices.purgeExpiredTokens()
        #expect(try await rows() == 0)
    }
}
