import Foundation
import MydiaWire

/// Per-request dependencies of the resolvers.
struct GraphQLContext: Sendable {
    let library: MediaLibrary
    let devices: DeviceStore
    let streaming: (any StreamingSessionProvider)?
    /// The device of a valid bearer; `nil` only on bearer-free operations.
    let device: DeviceRecord?
    /// What the client plays untouched (`X-Mydia-Device-Profile`, PROTOCOL.md §14.2.7); `nil` when
    /// it sent none or an unusable one.
    let deviceProfile: DeviceProfile?
    /// Signs users in (`login`, `verifyTotp`); `nil` = local authentication is off.
    let login: LoginAuthority?
    /// The caller's IP address on the direct listener (rate limits); `nil` inside a tunnel.
    let clientAddress: String?
    let compatibility: ServerCompatibilityObject
    let onRevoke: @Sendable (String) async -> Void

    /// Why a resolver refused.
    enum Error: Swift.Error, CustomStringConvertible {
        case notFound(String)
        case unauthenticated
        case streamingUnavailable
        case invalidArgument(String)

        var description: String {
            switch self {
            case .notFound(let what): "\(what) was not found."
            case .unauthenticated: "This operation needs a valid access token."
            case .streamingUnavailable: "Streaming is not available on this server."
            case .invalidArgument(let why): why
            }
        }
    }

    func requireDevice() throws -> DeviceRecord {
        guard let device else { throw Error.unauthenticated }
        return device
    }
}
