import Foundation
public import MydiaLibrary
import MydiaStreaming
public import MydiaWire

/// The device database answers the handshake (PROTOCOL.md §4.3, §12.9, §12.10).
extension DeviceStore: DeviceAuthority {
    public func pairDevice(name: String, platform: String, publicKey: [UInt8]) async throws -> (deviceID: String, deviceToken: String) {
        let (device, token) = try await createDevice(name: name, platform: platform, publicKey: publicKey)
        return (device.id, token)
    }

    public func authenticate(deviceID: String, staticKey: [UInt8], deviceToken: String) async throws(HandshakeFailure) {
        do {
            _ = try await authenticateReconnect(deviceID: deviceID, staticKey: staticKey, deviceToken: deviceToken)
        } catch let error as DeviceStore.Error {
            throw HandshakeFailure(rawValue: error.wireError) ?? .authFailed
        } catch {
            throw .authFailed
        }
    }

    public func credentials(deviceID: String) async throws -> SessionTokens {
        let c = try await issueCredentials(deviceID: deviceID)
        return SessionTokens(accessToken: c.access.token, accessExpiresAt: c.access.expiresAt,
                             mediaToken: c.media.token, mediaExpiresAt: c.media.expiresAt)
    }
}

/// `startStreamingSession` / `endStreamingSession` run on the HLS session manager. Without an
/// explicit strategy the server remuxes (HLS_COPY), which falls back to transcoding by itself when
/// the codecs cannot be copied.
struct HLSStreamingProvider: StreamingSessionProvider {
    let manager: HLSSessionManager

    func start(file: MediaFileRecord, strategy: StreamingStrategyChoice?, startPosition: Double?, maxHeight: Int?) async throws
        -> StartedStreamingSession
    {
        let chosen: StreamingStrategy = strategy == .transcode ? .transcode : .hlsCopy
        let info = try await manager.start(fileURL: file.url, strategy: chosen, startPosition: startPosition ?? 0, maxHeight: maxHeight)
        return StartedStreamingSession(sessionID: info.sessionId, duration: info.duration, startPosition: info.startPosition,
                                       coversWholeFile: info.playlistMode == .full, maxHeight: info.maxHeight)
    }

    func end(sessionID: String) async throws -> Bool {
        await manager.end(sessionId: sessionID)
    }
}
