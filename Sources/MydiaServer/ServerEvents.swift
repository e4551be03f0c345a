import Foundation

/// What the server tells its operator on stdout (logs go to stderr): `ready` once registered with
/// the relay, `claim` for each code issued, `pairing` for every pairing with its check (§12.6 c).
/// With `--print-ready` each is one JSON line (tests and `make demo` read them); otherwise a
/// sentence for a person.
enum ServerEvents {
    static func emit(_ fields: [String: Any], json: Bool) {
        let line: String
        if json {
            guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
            line = String(decoding: data, as: UTF8.self)
        } else {
            line = human(fields)
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func human(_ f: [String: Any]) -> String {
        switch f["event"] as? String {
        case "ready":
            var text = "Ready: \(f["instance_name"] ?? "") (\(f["instance_id"] ?? "")) registered with the relay; direct: "
                + ((f["direct_urls"] as? [String]) ?? []).joined(separator: ", ")
            if let discovery = f["discovery"] as? String { text += "; LAN discovery: \(discovery)" }
            if let code = f["claim_code"] as? String { text += "\nClaim code: \(spaced(code)) (expires \(f["claim_expires_at"] ?? ""))" }
            return text
        case "claim":
            return "Claim code: \(spaced(f["claim_code"] as? String ?? "")) (expires \(f["claim_expires_at"] ?? ""))"
        case "pairing":
            return "Pairing \"\(f["device_name"] ?? "")\" (\(f["platform"] ?? "")) — pairing check \(spaced(f["pairing_check"] as? String ?? "")); "
                + "compare it with the device's screen."
        default:
            return "\(f)"
        }
    }

    private static func spaced(_ code: String) -> String { code.count == 6 ? "\(code.prefix(3)) \(code.suffix(3))" : code }
}
