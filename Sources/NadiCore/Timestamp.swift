package import Foundation

/// RFC 3339 timestamps (`2026-11-22T10:00:00Z`, `2026-11-22T17:00:00.250+07:00`).
///
/// Parsed and formatted by hand: every ping carries one, and Foundation's ISO 8601 styles cost
/// more per call than the rest of a ping's validation together (measured with `nadi bench ingest`).
package enum Timestamp {
    /// Parses an RFC 3339 timestamp with a zone (`Z` or `±hh:mm`); nil otherwise.
    package static func parse(_ text: String) -> Date? {
        parseMicroseconds(text).map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)` (`t`, `z` and a space for `T` too, as RFC 3339
    /// allows) into microseconds since 1970; digits past the sixth of the fraction are dropped.
    package static func parseMicroseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { bytes -> Int64? in
            guard bytes.count >= 20, bytes.count <= 40 else { return nil }
            func number(_ start: Int, _ width: Int) -> Int64? {
                var value: Int64 = 0
                for index in start..<start + width {
                    let digit = bytes[index] &- 0x30
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), bytes[4] == 0x2D, let month = number(5, 2), bytes[7] == 0x2D, let day = number(8, 2),
                bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
                let hour = number(11, 2), bytes[13] == 0x3A, let minute = number(14, 2), bytes[16] == 0x3A, let second = number(17, 2)
            else { return nil }
            guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month), hour < 24, minute < 60, second < 60
            else { return nil }
            var index = 19
            var micros: Int64 = 0
            if bytes[index] == 0x2E {
                index += 1
                var digits = 0
                while index < bytes.count, bytes[index] &- 0x30 < 10 {
                    if digits < 6 { micros = micros * 10 + Int64(bytes[index] &- 0x30) }
                    digits += 1
                    index += 1
                }
                guard digits >= 1 else { return nil }
                for _ in digits..<max(digits, 6) { micros *= 10 }
            }
            guard index < bytes.count else { return nil }
            var offsetSeconds: Int64 = 0
            switch bytes[index] {
            case 0x5A, 0x7A:
                index += 1
            case 0x2B, 0x2D:
                guard bytes.count - index == 6, let hours = number(index + 1, 2), bytes[index + 3] == 0x3A,
                    let minutes = number(index + 4, 2), hours < 24, minutes < 60
                else { return nil }
                offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == 0x2D ? -1 : 1)
                index += 6
            default:
                return nil
            }
            guard index == bytes.count else { return nil }
            let seconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
            return seconds * 1_000_000 + micros
        }
    }

    /// Formats with milliseconds in UTC: `2026-11-22T10:00:00.000Z`.
    package static func format(_ date: Date) -> String {
        let micros = microseconds(date)
        let millis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        return civilText(microseconds: millis * 1000, dateTimeSeparator: 0x54, fractionDigits: 3, zone: [0x5A])
    }

    /// Formats with microseconds in UTC: `2026-11-22T10:00:00.123456Z`.
    package static func rfc3339(microseconds: Int64) -> String {
        civilText(microseconds: microseconds, dateTimeSeparator: 0x54, fractionDigits: 6, zone: [0x5A])
    }
}

extension Timestamp {
    /// Microseconds since 1970, the precision PostgreSQL stores: two pings are the same ping when
    /// these are equal.
    package static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00` for PostgreSQL's COPY text format (UTC, exact to the microsecond).
    package static func postgresText(microseconds: Int64) -> String {
        civilText(microseconds: microseconds, dateTimeSeparator: 0x20, fractionDigits: 6, zone: [0x2B, 0x30, 0x30])
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    package static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DD?HH:MM:SS.f…` + zone, in UTC, exact to the microsecond.
    private static func civilText(microseconds: Int64, dateTimeSeparator: UInt8, fractionDigits: Int, zone: [UInt8]) -> String {
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
        let (year, month, day) = civil(days: days)
        return String(unsafeUninitializedCapacity: 27 + zone.count) { out in
            var position = 0
            func put(_ value: Int64, width: Int) {
                var rest = value
                for index in stride(from: position + width - 1, through: position, by: -1) {
                    out[index] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                position += width
            }
            func byte(_ value: UInt8) {
                out[position] = value
                position += 1
            }
            put(year, width: 4)
            byte(0x2D)
            put(month, width: 2)
            byte(0x2D)
            put(day, width: 2)
            byte(dateTimeSeparator)
            put(secondOfDay / 3600, width: 2)
            byte(0x3A)
            put(secondOfDay % 3600 / 60, width: 2)
            byte(0x3A)
            put(secondOfDay % 60, width: 2)
            byte(0x2E)
            var fraction = micros
            for _ in fractionDigits..<6 { fraction /= 10 }
            put(fraction, width: fractionDigits)
            for value in zone { byte(value) }
            return position
        }
    }
}

extension JSONEncoder {
    /// Nadi's JSON: sorted keys, unescaped slashes, times as RFC 3339 with milliseconds.
    package static func nadi() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }
}
