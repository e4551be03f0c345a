import Foundation
import MydiaCrypto

/// The JSON mapping of ``RelayMessage``, kept apart from the type's API.
enum RelayMessageCoding {
    typealias DecodingError = RelayMessage.DecodingError

    /// Every field any relay message uses, each optional and decoded leniently: a field of the wrong
    /// JSON type reads as absent, so only the message types that need it fail (§12.1).
    struct Envelope: Decodable {
        var type: String
        var fields: [Key: String] = [:]
        var relayProtocol: [Int]?
        var webrtcE2EE: Int?

        enum Key: String, CodingKey, CaseIterable {
            case type, nonce, relay_key, instance_id, public_key, proof, code, message, session_id, reason
            case relay_protocol, webrtc_e2ee
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            type = try c.decode(String.self, forKey: .type)
            for key in Key.allCases where key != .type && key != .relay_protocol && key != .webrtc_e2ee {
                if let value = try? c.decodeIfPresent(String.self, forKey: key) { fields[key] = value }
            }
            if let list = try? c.decodeIfPresent([Int].self, forKey: .relay_protocol) {
                relayProtocol = list
            } else if let one = try? c.decodeIfPresent(Int.self, forKey: .relay_protocol) {
                relayProtocol = [one]
            }
            webrtcE2EE = try? c.decodeIfPresent(Int.self, forKey: .webrtc_e2ee)
        }

        func string(_ key: Key) throws(DecodingError) -> String {
            guard let s = fields[key] else { throw .malformed(type: type, field: key.rawValue) }
            return s
        }

        func bytes(_ key: Key) throws(DecodingError) -> [UInt8] {
            guard let b = fields[key].flatMap({ Encoding.fromBase64($0) }) else {
                throw .malformed(type: type, field: key.rawValue)
            }
            return b
        }
    }

    static func decode(_ e: Envelope) throws(DecodingError) -> RelayMessage {
        switch e.type {
        case "challenge":
            return .challenge(nonce: try e.bytes(.nonce), relayKey: try e.bytes(.relay_key))
        case "register":
            guard let versions = e.relayProtocol else { throw .malformed(type: e.type, field: "relay_protocol") }
            return .register(.init(
                instanceID: try e.string(.instance_id), publicKey: try e.bytes(.public_key),
                relayProtocol: versions, proof: try e.bytes(.proof)))
        case "registered":
            return .registered(relayProtocol: e.relayProtocol?.first ?? RelayProtocol.version)
        case "error":
            return .error(code: .init(rawValue: try e.string(.code)), message: e.fields[.message] ?? "")
        case "connection":
            return .connection(sessionID: try e.string(.session_id))
        case "connect":
            return .connect(instanceID: try e.string(.instance_id))
        case "connected":
            guard let e2ee = e.webrtcE2EE else { throw .malformed(type: e.type, field: "webrtc_e2ee") }
            guard let version = e.relayProtocol?.first else { throw .malformed(type: e.type, field: "relay_protocol") }
            return .connected(.init(
                sessionID: try e.string(.session_id), instanceID: try e.string(.instance_id),
                publicKey: try e.bytes(.public_key), webrtcE2EE: e2ee, relayProtocol: version))
        case "close":
            return .close(sessionID: e.fields[.session_id], reason: .init(rawValue: e.fields[.reason] ?? ""))
        case "ping": return .ping
        case "pong": return .pong
        default: return .unknown(type: e.type)
        }
    }

    static func encode(_ message: RelayMessage) -> String {
        var o: [String: JSONValue] = ["type": .string(message.type)]
        switch message {
        case .challenge(let nonce, let relayKey):
            o["nonce"] = .string(Encoding.base64(nonce))
            o["relay_key"] = .string(Encoding.base64(relayKey))
        case .register(let r):
            o["instance_id"] = .string(r.instanceID)
            o["public_key"] = .string(Encoding.base64(r.publicKey))
            o["relay_protocol"] = .ints(r.relayProtocol)
            o["proof"] = .string(Encoding.base64(r.proof))
        case .registered(let version):
            o["relay_protocol"] = .int(version)
        case .error(let code, let text):
            o["code"] = .string(code.rawValue)
            o["message"] = .string(text)
        case .connection(let sessionID):
            o["session_id"] = .string(sessionID)
        case .connect(let instanceID):
            o["instance_id"] = .string(instanceID)
        case .connected(let c):
            o["session_id"] = .string(c.sessionID)
            o["instance_id"] = .string(c.instanceID)
            o["public_key"] = .string(Encoding.base64(c.publicKey))
            o["webrtc_e2ee"] = .int(c.webrtcE2EE)
            o["relay_protocol"] = .int(c.relayProtocol)
        case .close(let sessionID, let reason):
            if let sessionID { o["session_id"] = .string(sessionID) }
            o["reason"] = .string(reason.rawValue)
        case .ping, .pong, .unknown:
            break
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail.
        let data = (try? encoder.encode(o)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The few JSON value shapes relay messages use.
    enum JSONValue: Encodable {
        case string(String)
        case int(Int)
        case ints([Int])

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .int(let i): try c.encode(i)
            case .ints(let list): try c.encode(list)
            }
        }
    }
}
