import Foundation
import MydiaWire

// Stock Mydia's login and streaming-candidate types (PROTOCOL.md §14.1–§14.3).

/// `input LoginInput`.
struct LoginInputObject: Codable, Sendable {
    var username: String
    var password: String
    var deviceId: String
    var deviceName: String
    var platform: String
}

/// `input VerifyTotpInput`.
struct VerifyTotpInputObject: Codable, Sendable {
    var challengeToken: String
    var code: String
}

/// Stock's `User`.
struct UserObject: Sendable {
    var id: ItemID
    var username: String?
}

/// Stock's `LoginResult`: a token, or `totpRequired` with a challenge.
struct LoginResultObject: Sendable {
    var token: String?
    var user: UserObject?
    var expiresIn: Int?
    var totpRequired: Bool
    var challengeToken: String?

    /// What an outcome answers; a refusal is a GraphQL error with its text (§14.2.4).
    init(_ outcome: LoginOutcome) throws {
        switch outcome {
        case .success(let grant):
            token = grant.token
            user = UserObject(id: ItemID(grant.user.id), username: grant.user.username)
            expiresIn = grant.expiresIn
            totpRequired = false
            challengeToken = nil
        case .totpRequired(let challenge):
            token = nil
            user = nil
            expiresIn = nil
            totpRequired = true
            challengeToken = challenge
        case .refused(let refusal):
            throw GraphQLContext.Error.invalidArgument(refusal.message)
        }
    }
}

/// `enum StreamingCandidateStrategy`.
enum CandidateStrategyValue: String, Codable, Sendable, CaseIterable {
    case directPlay = "DIRECT_PLAY"
    case remux = "REMUX"
    case hlsCopy = "HLS_COPY"
    case transcode = "TRANSCODE"
}

/// Stock's `StreamingCandidate`.
struct StreamingCandidateObject: Sendable {
    var strategy: CandidateStrategyValue
    var mime: String
    var container: String
    var videoCodec: String?
    var audioCodec: String?
}

/// Stock's `StreamingMetadata`.
struct StreamingMetadataObject: Sendable {
    var duration: Double?
    var width: Int?
    var height: Int?
    var bitrate: Int?
    var resolution: String?
    var originalCodec: String?
    var originalAudioCodec: String?
    var container: String?
}

/// Stock's `StreamingCandidatesResult`.
struct StreamingCandidatesObject: Sendable {
    var fileId: ItemID
    var candidates: [StreamingCandidateObject]
    var metadata: StreamingMetadataObject

    init(_ c: StreamingCandidates) {
        fileId = ItemID(c.fileID)
        candidates = c.candidates.compactMap { candidate in
            CandidateStrategyValue(rawValue: candidate.strategy.rawValue).map {
                StreamingCandidateObject(strategy: $0, mime: candidate.mime, container: candidate.container,
                                         videoCodec: candidate.videoCodec, audioCodec: candidate.audioCodec)
            }
        }
        let m = c.metadata
        metadata = StreamingMetadataObject(duration: m.duration, width: m.width, height: m.height, bitrate: m.bitrate,
                                           resolution: m.resolution, originalCodec: m.originalCodec,
                                           originalAudioCodec: m.originalAudioCodec, container: m.container)
    }
}
