public import Foundation

/// Times on the wire: RFC 3339 `YYYY-MM-DDTHH:MM:SSZ` when sending; fractional seconds and
/// numeric offsets accepted when receiving (PROTOCOL.md §12.1).
public enum WireTime {
    /// `2030-01-01T00:00:00Z`.
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ n: Int?, _ width: Int = 2) -> String {
            let s = String(n ?? 0)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))Z"
    }

    /// Parses RFC 3339 with or without fractional seconds; `nil` otherwise.
    public static func parse(_ text: String) -> Date? {
        let whole = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? whole.parse(text)) ?? (try? fractional.parse(text))
    }
}
