public import Foundation

/// Times on the wire: RFC 3339 `YYYY-MM-DDTHH:MM:SSZ` when sending; fractional seconds and
/// numeric offsets accepted when receiving (PROTOCOL.md §12.1).
///
/// Written out by hand (civil-date arithmetic from Howard Hinnant's `days_from_civil`) rather than
/// with `Calendar` or `Date.ISO8601FormatStyle`: on Linux both load ICU's time-zone tables, which
/// kept about 3 MB of ICU resident in every client that read its credentials (§13.74).
public enum WireTime {
    /// `2030-01-01T00:00:00Z` (fractions of a second are dropped, towards the past).
    public static func format(_ date: Date) -> String {
        format(seconds: microseconds(date).floorDivided(by: 1_000_000).quotient) + "Z"
    }

    /// `2030-01-01T00:00:00.250Z`: milliseconds, for log lines.
    public static func formatMilliseconds(_ date: Date) -> String {
        let (milliseconds1970, _) = microseconds(date).floorDivided(by: 1000)
        let (seconds, milliseconds) = milliseconds1970.floorDivided(by: 1000)
        let digits = String(milliseconds)
        return format(seconds: seconds) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Whole microseconds since 1970, rounded to the nearest: a `Date` keeps its time from 2001, so
    /// `-0.001` comes back as `-0.0010000000000000009` and must not become a millisecond earlier.
    private static func microseconds(_ date: Date) -> Int {
        Int((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `2030-01-01T00:00:00`, UTC, `seconds` after 1970.
    private static func format(seconds: Int) -> String {
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let time = "\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))"
        return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(time)"
    }

    /// Parses RFC 3339 (`T` or `t` between date and time, optional fractional seconds, `Z`, `z`,
    /// `±HH:MM` or `±HHMM`); `nil` for anything else, including impossible dates and times.
    public static func parse(_ text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take("-"),
              let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2), scanner.take("T") || scanner.take("t"),
              let hour = scanner.digits(2), scanner.take(":"),
              let minute = scanner.digits(2), scanner.take(":"),
              let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction = 0.0
        if scanner.take(".") {
            guard let digits = scanner.fractionDigits() else { return nil }
            fraction = digits
        }
        var offset = 0
        if scanner.take("Z") || scanner.take("z") {
            offset = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.digits(2) else { return nil }
            _ = scanner.take(":")
            guard let minutes = scanner.digits(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let local = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(local - offset) + fraction)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// ASCII cursor over the text being parsed.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` decimal digits.
        mutating func digits(_ count: Int) -> Int? {
            guard bytes.count - index >= count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// One or more digits after a decimal point, as a fraction of one.
        mutating func fractionDigits() -> Double? {
            let start = index
            var value = 0.0
            var scale = 1.0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if index - start < 15 {
                    value = value * 10 + Double(bytes[index] - UInt8(ascii: "0"))
                    scale *= 10
                }
                index += 1
            }
            return index > start ? value / scale : nil
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}

extension Int {
    /// Quotient and remainder rounded towards negative infinity (the remainder is never negative).
    fileprivate func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}
