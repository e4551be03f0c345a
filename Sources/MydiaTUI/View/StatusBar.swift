import Foundation
import MydiaConnection

/// The always-visible bottom line: RELAY / DUAL / DIRECT in colour and in words, the path in
/// use, "end-to-end encrypted" on the relay, round trip, throughput, last and next probe. A
/// URL-login server (direct only, PROTOCOL.md §14.2) shows its URL, "plain HTTP" when the link is
/// `http://`, and the server's refusal while it refuses.
enum StatusBar {
    static func line(_ state: AppState, width: Int) -> Line {
        guard let s = state.connection else {
            let label = switch state.screen {
            case .pairing: " NOT PAIRED "
            case .login: " NOT LOGGED IN "
            default: " CONNECTING "
            }
            let server = state.screen.isSetup ? "" : state.serverName.map { "\($0) · " } ?? ""
            return Line([Span(label, .barOffline), Span(" \(server)waiting for the connection manager", .barText)], fill: .barText)
        }
        let (label, style): (String, Style) = switch s.state {
        case .relay: (" RELAY ", .barRelay)
        case .dual: (" DUAL ", .barDual)
        case .direct: (" DIRECT ", .barDirect)
        case .connecting: (" CONNECTING ", .barOffline)
        case .offline: (" OFFLINE ", .barOffline)
        }
        var parts: [String] = []
        let relay = state.relayOrigin.map(Format.host) ?? "relay"
        switch s.activePath {
        case .relay?: parts.append("relay \(relay) · end-to-end encrypted")
        case .direct?:
            if let url = state.loginURL {
                parts.append("direct \(url)")
                if isPlainHTTP(url) { parts.append("plain HTTP") }
            } else {
                parts.append("direct \(s.directURL.map { Format.host($0.absoluteString) } ?? "")")
            }
        case nil:
            if s.isDirectOnly || state.loginURL != nil {
                let url = state.loginURL ?? s.directURL?.absoluteString ?? "the server"
                parts.append(s.directRefusal ?? (s.state == .offline ? "\(url) does not answer — retrying" : "opening \(url)"))
            } else {
                parts.append(s.state == .offline ? "no path — retrying" : "opening the relay path")
            }
        }
        if s.state == .dual { parts[0] += " (relay requests draining)" }
        let rtt = s.activePath == .direct ? s.direct.roundTripTime : s.relay.roundTripTime
        if let rtt { parts.append("rtt \(Format.ms(rtt))") }
        if let t = state.throughput { parts.append("↓ \(Format.bytes(t))/s") }
        if let last = s.candidates.compactMap(\.lastProbedAt).max() {
            parts.append("probed \(Format.seconds(s.takenAt - last)) s ago")
        }
        if let next = s.nextProbeAt {
            parts.append("next in \(max(Format.seconds(next - s.takenAt), 0)) s")
        } else if let next = s.nextRelayAttemptAt {
            parts.append("relay retry in \(max(Format.seconds(next - s.takenAt), 0)) s")
        }
        // The server by name at the end, where there is room for it (the path comes first).
        var rest = " " + parts.joined(separator: " · ")
        if let name = state.serverName, DisplayWidth.of(label) + DisplayWidth.of(rest) + DisplayWidth.of(name) + 5 <= width {
            rest += " · server \(name)"
        }
        return Line([Span(label, style), Span(DisplayWidth.truncate(rest, to: max(width - DisplayWidth.of(label), 0)), .barText)], fill: .barText)
    }

    /// Whether a login URL is `http://` (no TLS: the status bar says so).
    static func isPlainHTTP(_ url: String) -> Bool { url.lowercased().hasPrefix("http://") }
}
