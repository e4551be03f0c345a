import Foundation

extension RelayErrorCode {
    /// The instance's socket is on another node of the relay's fleet; `relay_url` names it (§15).
    public static let moved = RelayErrorCode(rawValue: "moved")
    /// The relay's shared database did not answer, so it cannot say where the instance is or
    /// whether a key is the bound one (§15); retry with backoff.
    public static let unavailable = RelayErrorCode(rawValue: "unavailable")
}

/// The `moved` answer of a fleet node (PROTOCOL.md §15):
/// `{"type":"error","code":"moved","relay_url":"wss://…","message":…}`. It travels as an ordinary
/// relay `error` (so older clients show it as one); these helpers add and read `relay_url`.
public enum RelayMoved {
    /// The JSON text of a `moved` error naming `relayURL`.
    public static func jsonText(relayURL: String) -> String {
        let object: [String: String] = [
            "type": "error", "code": RelayErrorCode.moved.rawValue, "relay_url": relayURL,
            "message": "The instance is connected to another relay node; reconnect there.",
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The `relay_url` of a `moved` error's JSON text, if it has a string one.
    public static func relayURL(in text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            object["code"] as? String == RelayErrorCode.moved.rawValue
        else { return nil }
        return object["relay_url"] as? String
    }
}
