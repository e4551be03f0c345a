import Foundation

/// Small display formats shared by the views (and the CLI's prompts).
public enum Format {
    /// `01:02:03` or `02:03`.
    public static func clock(_ seconds: Double) -> String {
        let s = max(Int(seconds.rounded(.down)), 0)
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }

    /// `1.2 MB`.
    static func bytes(_ n: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = n
        var i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(Int(v)) B" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[i])
    }

    /// Milliseconds of a duration: `3.2 ms`.
    static func ms(_ d: Duration) -> String {
        let ms = (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000
        return ms < 10 ? String(format: "%.1f ms", ms) : String(format: "%.0f ms", ms)
    }

    /// Whole seconds of a duration.
    static func seconds(_ d: Duration) -> Int {
        Int(d.components.seconds) + (d.components.attoseconds >= 500_000_000_000_000_000 ? 1 : 0)
    }

    /// `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
    static func ago(_ date: Date, now: Date) -> String {
        let s = Int(now.timeIntervalSince(date))
        if s < 60 { return "just now" }
        if s < 3600 { return "\(s / 60) min ago" }
        if s < 86400 { return "\(s / 3600) h ago" }
        return "\(s / 86400) days ago"
    }

    /// `14:03:27` local time (the C library's time zone: a `DateFormatter` would load ICU).
    static func time(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return "--:--:--" }
        return [local.tm_hour, local.tm_min, local.tm_sec].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
    }

    /// A host and port from a URL string, for the status bar.
    static func host(_ url: String) -> String {
        guard let u = URL(string: url), let host = u.host else { return url }
        return u.port.map { "\(host):\($0)" } ?? host
    }
}
