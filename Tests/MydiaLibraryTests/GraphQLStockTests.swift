import Foundation
import MydiaCrypto
@testable import MydiaLibrary
import MydiaWire
import Testing

/// The reference server's stock-dialect operations through GraphQL (PROTOCOL.md §14.1–§14.3):
/// login and verifyTotp, streamingCandidates with and without a device profile, and a file's
/// subtitle tracks.
@Suite struct GraphQLStockTests {
    static let login = """
        mutation Login($input: LoginInput!) { login(input: $input) { token user { id username } expiresIn totpRequired challengeToken } }
        """
    static let verify = """
        mutation VerifyTotp($input: VerifyTotpInput!) { verifyTotp(input: $input) { token expiresIn totpRequired } }
        """

    static func input(_ user: String, _ password: String) -> [String: Any] {
        ["input": ["username": user, "password": password, "deviceId": "6b1f7f3e-2d7a-4c55-9d0e-2a1b3c4d5e6f",
                   "deviceName": "laptop", "platform": "linux"]]
    }

    @Test func loginNeedsNoBearerAndItsTokenOpensTheLibrary() async throws {
        let f = try await Fixture.make()
        var password = Array("correct horse".utf8)
        _ = try await UserStore(database: f.database, now: f.clock.now).add(username: "ada", password: &password, withTOTP: false)
        let wrong = try await f.graphQL(Self.login, variables: Self.input("ada", "nope"), bearer: nil)
        #expect(wrong.status == 200)
        #expect((wrong.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "Invalid username or password")
        let ok = try await f.graphQL(Self.login, variables: Self.input("ADA", "correct horse"), bearer: nil)
        let token = try #require(dig(ok.json, "data", "login", "token") as? String)
        #expect(dig(ok.json, "data", "login", "totpRequired") as? Bool == false)
        #expect(dig(ok.json, "data", "login", "expiresIn") as? Int == 30 * 24 * 3600)
        #expect(dig(ok.json, "data", "login", "user", "username") as? String == "ada")
        let movies = try await f.graphQL("{ movies { totalCount } devices { deviceName platform } }", bearer: token)
        #expect(dig(movies.json, "data", "movies", "totalCount") as? Int == 3)
        // A login device sees its own user's devices only.
        #expect((dig(movies.json, "data", "devices") as? [[String: Any]])?.map { $0["deviceName"] as? String } == ["laptop"])
    }

    @Test func aTOTPAccountNeedsTheCodeWithinItsChallenge() async throws {
        let f = try await Fixture.make(scan: false)
        var password = Array("pw-1".utf8)
        let added = try await UserStore(database: f.database, now: f.clock.now).add(username: "bob", password: &password, withTOTP: true)
        let totp = try #require(added.totp)
        let first = try await f.graphQL(Self.login, variables: Self.input("bob", "pw-1"), bearer: nil)
        #expect(dig(first.json, "data", "login", "totpRequired") as? Bool == true)
        #expect(dig(first.json, "data", "login", "token") is NSNull)
        let challenge = try #require(dig(first.json, "data", "login", "challengeToken") as? String)
        let bad = try await f.graphQL(Self.verify, variables: ["input": ["challengeToken": challenge, "code": "000000"]], bearer: nil)
        #expect((bad.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "Invalid code")
        let code = try #require(totp.code(at: f.clock.now()))
        let ok = try await f.graphQL(Self.verify, variables: ["input": ["challengeToken": challenge, "code": code]], bearer: nil)
        #expect((dig(ok.json, "data", "verifyTotp", "token") as? String)?.isEmpty == false)
    }

    @Test func candidatesFollowTheDeviceProfile() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first { $0.title == "Big Test Pattern" })
        let query = """
            query C($id: ID!) { streamingCandidates(contentType: "movie", id: $id) { fileId candidates { strategy mime container }
              metadata { duration container } } movie(id: $id) { files { directPlaySupported container } } }
            """
        let open = try await f.graphQL(query, variables: ["id": movie.id], bearer: bearer)
        let strategies = (dig(open.json, "data", "streamingCandidates", "candidates") as? [[String: Any]])?.compactMap { $0["strategy"] as? String }
        #expect(strategies?.first == "DIRECT_PLAY")
        #expect(dig(open.json, "data", "movie", "files", 0, "directPlaySupported") as? Bool == true)
        let container = try #require(dig(open.json, "data", "movie", "files", 0, "container") as? String)
        // A player that plays nothing of this file: direct play is not first, and not supported.
        let picky = DeviceProfile(containers: ["webm"], videoCodecs: ["vp9"], audioCodecs: ["opus"])
        let strict = try await f.graphQL(query, variables: ["id": movie.id], bearer: bearer, profile: picky)
        let strictStrategies = (dig(strict.json, "data", "streamingCandidates", "candidates") as? [[String: Any]])?.compactMap { $0["strategy"] as? String }
        #expect(strictStrategies?.first != "DIRECT_PLAY" && strictStrategies?.isEmpty == false)
        #expect(dig(strict.json, "data", "movie", "files", 0, "directPlaySupported") as? Bool == false)
        #expect(dig(strict.json, "data", "streamingCandidates", "metadata", "container") as? String == container)
        let unknown = try await f.graphQL(query, variables: ["id": "no-such-movie"], bearer: bearer)
        #expect((unknown.json["errors"] as? [Any])?.isEmpty == false)
    }

    @Test func aSidecarSubtitleIsListedWithItsVTTURL() async throws {
        let f = try await Fixture.make()
        let (_, bearer, _) = try await f.pairedDevice()
        let movie = try #require(try await f.library.movies().first { $0.title == "Big Test Pattern" })
        let file = try #require(try await f.library.files(itemID: movie.id).first)
        let sidecar = file.url.deletingPathExtension().appendingPathExtension("en.forced.srt")
        try "1\n00:00:00,000 --> 00:00:01,000\nHello\n".write(to: sidecar, atomically: true, encoding: .utf8)
        let r = try await f.graphQL("""
            query M($id: ID!) { movie(id: $id) { files { id subtitles { trackId language title format embedded deliverable forced
              hearingImpaired url(format: VTT) srt: url(format: SRT) } } } }
            """, variables: ["id": movie.id], bearer: bearer)
        let tracks = try #require(dig(r.json, "data", "movie", "files", 0, "subtitles") as? [[String: Any]])
        let track = try #require(tracks.first { $0["embedded"] as? Bool == false })
        #expect(track["language"] as? String == "eng" && track["forced"] as? Bool == true && track["deliverable"] as? Bool == true)
        let trackID = try #require(track["trackId"] as? String)
        #expect(track["url"] as? String == "/api/player/v1/subtitles/file/\(file.id)/\(trackID)?format=vtt")
        #expect(track["srt"] is NSNull)
    }
}
