public import Foundation

/// RFC 3339 timestamps (`2026-11-22T10:00:00Z`, `2026-11-22T17:00:00.250+07:00`).
public enum Timestamp {
    private static let plain = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Parses an RFC 3339 timestamp with a zone (`Z` or `±hh:mm`); nil otherwise.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count >= 20, text.utf8.count <= 40 else { return nil }
        if let date = try? plain.parse(text) { return date }
        return try? fractional.parse(text)
    }

    /// Formats with milliseconds in UTC: `2026-11-22T10:00:00.000Z`.
    public static func format(_ date: Date) -> String {
        fractional.format(date)
    }
}

extension Timestamp {
    /// Microseconds since 1970, the precision PostgreSQL stores: two pings are the same ping when
    /// these are equal.
    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` for PostgreSQL's COPY text format (UTC, exact to the microsecond).
    public static func postgresText(microseconds: Int64) -> String {
        var seconds = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(29)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, width: 4)
        out.append(0x2D)
        put(month, width: 2)
        out.append(0x2D)
        put(day, width: 2)
        out.append(0x20)
        put(secondOfDay / 3600, width: 2)
        out.append(0x3A)
        put(secondOfDay % 3600 / 60, width: 2)
        out.append(0x3A)
        put(secondOfDay % 60, width: 2)
        out.append(0x2E)
        put(micros, width: 6)
        out.append(contentsOf: [0x2B, 0x30, 0x30])
        return String(decoding: out, as: UTF8.self)
    }
}
