import Dispatch
public import Foundation
public import Logging
import MydiaCrypto
import MydiaWire

/// URL login on the reference server (PROTOCOL.md §14.2.2, §14.3): `login` checks a local user's
/// password, `verifyTotp` the second factor, and a success makes (or reuses) the login device and
/// issues its access token. Refusals carry stock Mydia's texts.
///
/// - An unknown user costs the same Argon2id verification as a wrong password (against a stand-in
///   hash), so neither the answer nor its timing tells whether a name exists.
/// - Per (client address, login name), 5 failures within 15 minutes refuse further attempts
///   without checking anything; wrong codes count too.
/// - A challenge lives 300 s, signs in once, and is dropped after 3 wrong codes.
/// - Password checks run one at a time on a thread of their own, off the Swift concurrency pool:
///   memory stays at one hash's 64 MiB and the pool keeps serving while a hash runs.
public actor LoginAuthority {
    /// The limits; the defaults are PROTOCOL.md §14.3's.
    public struct Policy: Sendable {
        /// Failed attempts per (address, name) allowed within ``failureWindow``.
        public var maxFailures = 5
        /// The window failures are counted in.
        public var failureWindow: TimeInterval = 15 * 60
        /// How long a `totpRequired` challenge stays usable.
        public var challengeLifetime: TimeInterval = 300
        /// Wrong codes after which a challenge is dropped.
        public var codeAttemptsPerChallenge = 3
        /// Most challenges waiting at once; the oldest goes first.
        public var maxPendingChallenges = 10_000
        /// Most (address, name) pairs whose failures are remembered.
        public var maxTrackedKeys = 50_000

        /// The defaults.
        public init() {}
    }

    /// A password accepted and a code awaited.
    private struct Challenge {
        var userID: String
        var username: String
        var clientDeviceID: String
        var deviceName: String
        var platform: String
        var expiresAt: Date
        var wrongCodes = 0
    }

    private let users: UserStore
    private let devices: DeviceStore
    private let policy: Policy
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var limiter: LoginRateLimit
    private var challenges: [String: Challenge] = [:]
    /// What an unknown name's password is checked against (made on first use, at the users' cost).
    private var standIn: String?

    /// Argon2id runs here, one hash at a time.
    private static let hashing = DispatchQueue(label: "mydia.login.password-hash")

    /// - Parameters:
    ///   - users: the local users.
    ///   - devices: where login devices and their tokens live.
    ///   - policy: the limits (tests shorten nothing: they move the clock).
    ///   - now: the clock for windows, challenge expiry and TOTP (shared with `devices` in tests).
    ///   - logger: refusals are logged without passwords, codes or tokens.
    public init(users: UserStore, devices: DeviceStore, policy: Policy = Policy(),
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "mydia.login")) {
        self.users = users
        self.devices = devices
        self.policy = policy
        self.now = now
        self.logger = logger
        limiter = LoginRateLimit(maxFailures: policy.maxFailures, window: policy.failureWindow, maxKeys: policy.maxTrackedKeys)
    }

    /// `login(input: {username, password, deviceId, deviceName, platform})`.
    /// - Parameters:
    ///   - username: the login name, any case.
    ///   - password: the password.
    ///   - deviceID: the client's own `deviceId`, a UUID.
    ///   - deviceName: shown in device lists; sanitised, cut to 64 characters.
    ///   - platform: e.g. `linux`; sanitised, cut to 64 characters.
    ///   - clientAddress: the peer's IP address (the rate limit's first half).
    public func login(username: String, password: String, deviceID: String, deviceName: String, platform: String,
                      clientAddress: String) async -> LoginOutcome {
        guard let clientDeviceID = UUID(uuidString: deviceID)?.uuidString.lowercased() else { return .refused(.invalidDevice) }
        // Cut now: a challenge keeps them for up to 300 s.
        let deviceName = DisplayText.name(deviceName), platform = DisplayText.name(platform)
        let key = LoginRateLimit.Key(address: clientAddress, name: username)
        guard limiter.admit(key, now: now()) else { return refuse(.rateLimited, key) }
        let standIn = await standInHash()
        let credentials: UserStore.Credentials?
        do {
            credentials = try await users.credentials(username: username)
        } catch {
            limiter.settled(key)
            return unavailable(error)
        }
        passwordChecks += 1
        let matches = await Self.verify(password, against: credentials?.passwordHash ?? standIn)
        guard let credentials, matches else {
            limiter.failed(key, now: now())
            return refuse(.invalidCredentials, key)
        }
        guard credentials.totp != nil else {
            return await complete(user: credentials.user, clientDeviceID: clientDeviceID, deviceName: deviceName,
                                  platform: platform, key: key)
        }
        limiter.settled(key)
        return .totpRequired(challengeToken: issueChallenge(Challenge(
            userID: credentials.user.id, username: credentials.user.username, clientDeviceID: clientDeviceID,
            deviceName: deviceName, platform: platform, expiresAt: now().addingTimeInterval(policy.challengeLifetime))))
    }

    /// `verifyTotp(input: {challengeToken, code})`: a 6-digit TOTP code of the current step ±1
    /// (each step good once) or one of the user's unused recovery codes, which this uses up.
    public func verifyTotp(challengeToken: String, code: String, clientAddress: String) async -> LoginOutcome {
        // Taken out while it is checked, so a parallel call with the same token finds nothing.
        guard var challenge = challenges.removeValue(forKey: challengeToken), challenge.expiresAt > now() else {
            return .refused(.challengeExpired)
        }
        let key = LoginRateLimit.Key(address: clientAddress, name: challenge.username)
        guard limiter.admit(key, now: now()) else { return refuse(.rateLimited, key) }
        let accepted: Bool
        do {
            accepted = try await check(code: code, userID: challenge.userID)
        } catch {
            limiter.settled(key)
            challenges[challengeToken] = challenge
            return unavailable(error)
        }
        guard accepted else {
            limiter.failed(key, now: now())
            challenge.wrongCodes += 1
            if challenge.wrongCodes < policy.codeAttemptsPerChallenge { challenges[challengeToken] = challenge }
            return refuse(.invalidCode, key)
        }
        return await complete(user: LoginUser(id: challenge.userID, username: challenge.username),
                              clientDeviceID: challenge.clientDeviceID, deviceName: challenge.deviceName,
                              platform: challenge.platform, key: key)
    }

    /// Challenges waiting for a code (tests, diagnostics).
    public var pendingChallenges: Int { challenges.count }

    /// Argon2id verifications run so far, stand-in ones included (tests).
    private(set) var passwordChecks = 0

    // MARK: - Steps

    private func complete(user: UserRecord, clientDeviceID: String, deviceName: String, platform: String,
                          key: LoginRateLimit.Key) async -> LoginOutcome {
        await complete(user: LoginUser(id: user.id, username: user.username), clientDeviceID: clientDeviceID,
                       deviceName: deviceName, platform: platform, key: key)
    }

    private func complete(user: LoginUser, clientDeviceID: String, deviceName: String, platform: String,
                          key: LoginRateLimit.Key) async -> LoginOutcome {
        do {
            let (device, access) = try await devices.signIn(userID: user.id, clientDeviceID: clientDeviceID,
                                                            name: deviceName, platform: platform)
            limiter.succeeded(key)
            let seconds = Int(access.expiresAt.timeIntervalSince(now()).rounded())
            logger.info("login", metadata: ["user": "\(user.username)", "device": "\(device.id)"])
            return .success(LoginGrant(token: access.token, expiresIn: seconds, user: user, deviceID: device.id))
        } catch {
            limiter.settled(key)
            return unavailable(error)
        }
    }

    /// A 6-digit code is a TOTP code; anything else is tried as a recovery code.
    private func check(code: String, userID: String) async throws -> Bool {
        let trimmed = code.filter { $0 != " " }
        if trimmed.count == TOTP.digits, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) {
            guard let totp = try await users.credentials(userID: userID)?.totp,
                  let step = totp.matchingStep(trimmed, at: now()) else { return false }
            return try await users.acceptTOTPStep(userID: userID, step: step)
        }
        guard trimmed.count <= 64 else { return false }
        return try await users.consumeRecoveryCode(userID: userID, code: trimmed)
    }

    private func issueChallenge(_ challenge: Challenge) -> String {
        let instant = now()
        challenges = challenges.filter { $0.value.expiresAt > instant }
        if challenges.count >= policy.maxPendingChallenges,
           let oldest = challenges.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
            challenges[oldest.key] = nil
        }
        let token = Encoding.base64URL(SecretBytes.random(count: 32).exposedCopy())
        challenges[token] = challenge
        return token
    }

    private func standInHash() async -> String {
        if let standIn { return standIn }
        let cost = users.passwordCost
        let made = await Self.offload { () -> String in
            var random = SecretBytes.random(count: 32).exposedCopy()
            return (try? PasswordHash.hash(&random, cost: cost)) ?? ""
        }
        standIn = standIn ?? made
        return standIn ?? made
    }

    private static func verify(_ password: String, against hash: String) async -> Bool {
        await offload { PasswordHash.verify(password, against: hash) }
    }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            hashing.async { continuation.resume(returning: work()) }
        }
    }

    private func refuse(_ refusal: LoginRefusal, _ key: LoginRateLimit.Key) -> LoginOutcome {
        logger.notice("login refused", metadata: ["reason": "\(refusal)", "address": "\(key.address)"])
        return .refused(refusal)
    }

    private func unavailable(_ error: any Error) -> LoginOutcome {
        logger.error("login failed", metadata: ["error": "\(error)"])
        return .refused(.unavailable)
    }
}
