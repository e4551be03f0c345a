// The URL-login mutations (PROTOCOL.md §14.2.2), as stock Mydia's schema has them:
// `login(input: LoginInput!): LoginResult` and `verifyTotp(input: VerifyTotpInput!): LoginResult`.
// The input objects are written as literals whose fields are String! variables, so the variables
// stay scalars; the documents validate against both schema generations' `LoginInput`.
extension Operations {
    private static let loginSelection = "token user { id username } expiresIn totpRequired challengeToken"
    private static let legacyLoginSelection = "token user { id username } expiresIn"

    /// Signs in with a user name and password. On a server of the older generation (§14.2.8) the
    /// legacy form asks for no TOTP fields (that generation has no TOTP).
    /// - Parameters:
    ///   - username: user name or e-mail.
    ///   - password: the password; it is sent only in the variables, never logged.
    ///   - deviceId: the per-install device id.
    ///   - deviceName: the host name.
    ///   - platform: `linux`.
    public static func login(username: String, password: String, deviceId: String, deviceName: String,
                             platform: String = "linux") -> GraphQLOperation<LoginResult?> {
        let header = "mutation Login($username: String!, $password: String!, $deviceId: String!, $deviceName: String!, $platform: String!) "
            + "{ login(input: {username: $username, password: $password, deviceId: $deviceId, deviceName: $deviceName, platform: $platform}) "
        let variables: [String: GraphQLValue] = [
            "username": .string(username), "password": .string(password), "deviceId": .string(deviceId),
            "deviceName": .string(deviceName), "platform": .string(platform),
        ]
        return GraphQLOperation(
            name: "Login", rootField: "login", document: header + "{ \(loginSelection) } }", variables: variables,
            legacy: .init(document: header + "{ \(legacyLoginSelection) } }", variables: variables))
    }

    /// Completes a login that answered `totpRequired` with a 6-digit TOTP code or a recovery code,
    /// within 300 s of it. Only the current generation has it.
    public static func verifyTotp(challengeToken: String, code: String) -> GraphQLOperation<LoginResult?> {
        GraphQLOperation(
            name: "VerifyTotp", rootField: "verifyTotp",
            document: "mutation VerifyTotp($challengeToken: String!, $code: String!) "
                + "{ verifyTotp(input: {challengeToken: $challengeToken, code: $code}) { \(loginSelection) } }",
            variables: ["challengeToken": .string(challengeToken), "code": .string(code)])
    }
}
