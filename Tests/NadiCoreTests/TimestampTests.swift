import Foundation
import NadiCore
import Testing

@Suite("Timestamp")
struct TimestampTests {
    /// 2026-11-22T10:00:00Z, worked out by hand: 20,779 days after 1970-01-01, plus ten hours.
    static let tenOClock: Int64 = (20_779 * 86_400 + 10 * 3600) * 1_000_000

    @Test("RFC 3339 forms parse to the exact microsecond, offsets applied")
    func parsesForms() {
        #expect(Timestamp.parseMicroseconds("2026-11-22T10:00:00Z") == Self.tenOClock)
        #expect(Timestamp.parseMicroseconds("2026-11-22T17:00:00+07:00") == Self.tenOClock)
        #expect(Timestamp.parseMicroseconds("2026-11-22T09:30:00-00:30") == Self.tenOClock)
        #expect(Timestamp.parseMicroseconds("2026-11-22t10:00:00z") == Self.tenOClock)
        #expect(Timestamp.parseMicroseconds("2026-11-22 10:00:00Z") == Self.tenOClock)
        #expect(Timestamp.parseMicroseconds("2026-11-22T10:00:00.25Z") == Self.tenOClock + 250_000)
        #expect(Timestamp.parseMicroseconds("2026-11-22T10:00:00.123456Z") == Self.tenOClock + 123_456)
        #expect(Timestamp.parseMicroseconds("2026-11-22T10:00:00.123456789Z") == Self.tenOClock + 123_456)
        #expect(Timestamp.parseMicroseconds("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseMicroseconds("1969-12-31T23:59:59.5Z") == -500_000)
    }

    @Test("calendar rules: leap days exist only in leap years")
    func leapDays() throws {
        #expect(Timestamp.parseMicroseconds("2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parseMicroseconds("2000-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parseMicroseconds("2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parseMicroseconds("1900-02-29T00:00:00Z") == nil)
        #expect(Timestamp.parseMicroseconds("2026-04-31T00:00:00Z") == nil)
        let march = try #require(Timestamp.parseMicroseconds("2024-03-01T00:00:00Z"))
        let february = try #require(Timestamp.parseMicroseconds("2024-02-28T00:00:00Z"))
        #expect(march - february == 2 * 86_400_000_000, "2024 has a 29 February between them")
    }

    @Test(
        "malformed timestamps are refused, not guessed",
        arguments: [
            "", "2026-11-22", "2026-11-22T10:00:00", "2026-11-22T10:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:00:60Z", "2026-11-22T10:00:00.Z",
            "2026-11-22T10:00:00+7", "2026-11-22T10:00:00+07:00:00", "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00ZZ",
            "２０２６-11-22T10:00:00Z", "2026/11/22T10:00:00Z", "2026-11-22T10:00:00 Z", "+2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00.1234567890123456789012Z", "NaN", "2026-11-22T1a:00:00Z",
        ])
    func refusesMalformed(text: String) {
        #expect(Timestamp.parseMicroseconds(text) == nil)
    }

    @Test("formatting round-trips through parsing, to the millisecond and the microsecond")
    func roundTrips() {
        for micros: Int64 in [0, Self.tenOClock + 123_456, -1, 951_782_400_000_001, 4_102_444_799_999_999] {
            #expect(Timestamp.parseMicroseconds(Timestamp.rfc3339(microseconds: micros)) == micros)
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let millis = Int64((Double(micros) / 1000).rounded(.down)) * 1000
            #expect(Timestamp.parseMicroseconds(Timestamp.format(date)) == millis)
        }
        #expect(Timestamp.rfc3339(microseconds: Self.tenOClock + 5) == "2026-11-22T10:00:00.000005Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.postgresText(microseconds: Self.tenOClock) == "2026-11-22 10:00:00.000000+00")
    }
}
