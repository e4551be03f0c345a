import Foundation
import MydiaAPI
import MydiaWire

/// Targets for the JSON and binary message parsers every peer feeds with network bytes.
extension FuzzTargets {
    /// Relay control JSON (PROTOCOL.md §2, §12.1): any bytes either decode or are refused with a
    /// typed error; what decodes survives its own encoding unchanged.
    static func relayMessage(_ data: [UInt8]) {
        guard let message = try? RelayMessage.decode(data) else { return }
        guard let again = try? RelayMessage.decode(message.jsonText) else {
            preconditionFailure("relay message does not decode from its own encoding: \(message.jsonText)")
        }
        precondition(again == message, "relay message changed in a round trip: \(message) → \(again)")
    }

    /// Tunnel api-channel JSON (§5.1, §12.13): decodes or is refused; a decoded message round-trips.
    static func tunnelMessage(_ data: [UInt8]) {
        guard let message = try? TunnelMessage(decoding: data) else { return }
        guard let again = try? TunnelMessage(decoding: message.encoded()) else {
            preconditionFailure("tunnel message does not decode from its own encoding: \(message)")
        }
        precondition(again == message, "tunnel message changed in a round trip: \(message) → \(again)")
    }

    /// Media-channel plaintext (§5.2): a decoded frame re-encodes to exactly the input bytes, and
    /// a refused one is short or carries unknown flags.
    static func mediaFrame(_ data: [UInt8]) {
        do {
            let frame = try MediaFrame(decoding: data)
            precondition(frame.encoded() == data, "media frame does not re-encode to its input")
        } catch .tooShort {
            precondition(data.count < 5)
        } catch {
            precondition(data.count >= 5 && data[4] & ~0x03 != 0, "media frame refused for the wrong reason: \(error)")
        }
    }

    /// The client's GraphQL answer decoder (§7, §11.14, §12.17): the first byte picks the HTTP
    /// status (200 most of the time), the rest is the body, decoded as several operations. It must
    /// answer with a value or a typed error, and every display string it returns is sanitised.
    static func graphQLResponse(_ data: [UInt8]) {
        let status = data.first.map { $0 < 0xf0 ? 200 : [401, 403, 404, 429, 500, 503, 400, 302][Int($0 & 7)] } ?? 200
        let reply = APIReply(status: status, headers: ["content-type": "application/json"], body: Array(data.dropFirst()))
        if let movies = try? APIClient.decode(reply, Operations.movies()) {
            for edge in movies.edges { precondition(isClean(edge.node.title), "unsanitised title") }
        }
        if let search = try? APIClient.decode(reply, Operations.search(query: "x")) {
            for section in search.sections { for item in section.results { precondition(isClean(item.title), "unsanitised title") } }
        }
        if let devices = try? APIClient.decode(reply, Operations.devices()) {
            for device in devices.wrappedValue { precondition(isClean(device.deviceName) && device.deviceName.count <= 64, "unsanitised name") }
        }
        _ = try? APIClient.decode(reply, Operations.movie(id: "1"))
        _ = try? APIClient.decode(reply, Operations.seasonEpisodes(showId: "1", seasonNumber: 1))
        _ = try? APIClient.decode(reply, Operations.refreshAccessToken(deviceToken: "t"))
        _ = try? APIClient.decode(reply, Operations.endStreamingSession(sessionId: "s"))
        do {
            _ = try APIClient.decode(reply, Operations.continueWatching())
        } catch {
            precondition(!error.description.unicodeScalars.contains { $0.value < 0x20 }, "error text carries control characters")
        }
    }

    private static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }
    }
}
