import MydiaConnection
import Foundation
import MydiaAPI
import MydiaLibrary
import MydiaServer
import MydiaTestSupport
import Testing

/// Devices, tokens and the 401 → refresh once → retry rule (PROTOCOL.md §7, §11.3, §11.14).
@Suite struct APIClientAuthTests {
    @Test func devicesAreSanitisedAndRevocationWorks() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let other = try await p.stack.host.devices.createDevice(
                    name: "Phone\u{1b}]0;pwned\u{07}", platform: "ios", publicKey: [UInt8](repeating: 9, count: 32))
                let devices = try await p.client.devices()
                let mine = try #require(devices.first { $0.id == p.credentials.deviceID })
                #expect(mine.deviceName == "Test TUI" && mine.platform == "linux" && !mine.isRevoked && mine.online == true)
                let phone = try #require(devices.first { $0.id == other.device.id })
                #expect(!phone.deviceName.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x9b })

                #expect(try await p.client.revokeDevice(id: other.device.id))
                #expect(try await p.client.devices().first { $0.id == other.device.id }?.isRevoked == true)

                let compat = try #require(try await p.client.serverCompatibility())
                #expect(!compat.version.isEmpty && !compat.minPlayerVersion.isEmpty)
            }
        }
    }

    @Test func mediaTokenRefreshIsSaved() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let result = try await p.client.refreshMediaToken()
                #expect(result.token != p.credentials.mediaToken)
                let reopened = try CredentialStore(directory: p.directory)
                #expect(await reopened.credentials(instanceID: p.stack.instanceID)?.mediaToken == result.token)
                // The new media token opens the stream endpoints, so it is real.
                _ = try await p.stack.host.devices.validate(result.token, kind: .media)
            }
        }
    }

    @Test func refusedAccessTokenIsRefreshedOnceSavedAndRetried() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                try await p.store.updateAccessToken(instanceID: p.stack.instanceID, token: "stale-token",
                                                    expiresAt: Date(timeIntervalSinceNow: -60))
                let page = try await p.client.movies(first: 1)
                #expect(page.totalCount == 3)

                let exchanges = p.transport.exchanges
                #expect(exchanges.map(\.operationName) == ["Movies", "RefreshAccessToken", "Movies"])
                #expect(exchanges.map(\.status) == [401, 200, 200])
                #expect(exchanges[1].hadBearer == false)

                let saved = try #require(await CredentialStore(directory: p.directory).credentials(instanceID: p.stack.instanceID))
                #expect(saved.accessToken != "stale-token" && saved.accessExpiresAt > Date())
                _ = try await p.stack.host.devices.validate(saved.accessToken, kind: .access)

                // The next call uses the saved token straight away.
                _ = try await p.client.devices()
                #expect(p.transport.exchanges.count == 4 && p.transport.exchanges[3].status == 200)
            }
        }
    }

    @Test func concurrentRefusalsShareOneRefresh() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                try await p.store.updateAccessToken(instanceID: p.stack.instanceID, token: "stale-token",
                                                    expiresAt: Date(timeIntervalSinceNow: -60))
                let client = p.client
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<5 { group.addTask { try await client.movies(first: 1).totalCount } }
                    for try await total in group { #expect(total == 3) }
                }
                #expect(p.transport.exchanges.filter { $0.operationName == "RefreshAccessToken" }.count == 1)
            }
        }
    }

    @Test func revokedDeviceGetsOneRefreshAttemptThenAPlainSentence() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let revoked = try await p.stack.host.devices.revokeDevice(id: p.credentials.deviceID)
                #expect(revoked)
                await #expect(throws: APIClient.Error.deviceRevoked) { try await p.client.devices() }
                #expect(p.transport.exchanges.map(\.operationName) == ["Devices", "RefreshAccessToken"])
                #expect(APIClient.Error.deviceRevoked.description
                    == "This device was revoked or its credentials are gone — pair it again.")
            }
        }
    }

    @Test func selfRevocationThroughTheAPIEndsAccess() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                let revoked = try await p.client.revokeDevice(id: p.credentials.deviceID)
                #expect(revoked)
                await #expect(throws: APIClient.Error.deviceRevoked) { try await p.client.movies() }
            }
        }
    }

    @Test func graphQLErrorsAndHTTPErrorsBecomeTypedSentences() async throws {
        try await withTimeout(.seconds(30)) {
            try await PairedClient.with { p in
                do {
                    _ = try await p.client.movies(first: 1, after: "not-a-cursor")
                    Issue.record("an invalid cursor must fail")
                } catch let error as APIClient.Error {
                    guard case .graphQL(let messages) = error else { throw error }
                    #expect(!messages.isEmpty)
                    #expect(error.description.hasPrefix("The server refused the request: ") && error.description.hasSuffix("."))
                    #expect(!error.description.contains("\n"))
                }
                let http = APIClient.Error.http(status: 503, code: "unavailable", message: "Try later")
                #expect(http.description == "The server answered with HTTP 503: Try later.")
            }
        }
    }
}
