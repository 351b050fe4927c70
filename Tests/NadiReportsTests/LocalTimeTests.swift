import Foundation
import NadiReports
import Testing

@Suite("Local times")
struct LocalTimeTests {
    @Test("minutes(_:) by hand equals Foundation's DateFormatter for 4,000 instants in WIB, WITA, WIT and UTC, 1960–2100")
    func matchesDateFormatter() throws {
        var generator = SystemRandomNumberGenerator()
        for identifier in ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"] {
            let zone = try #require(TimeZone(identifier: identifier))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let local = LocalTime(zone: zone)
            var instants = [-315_619_200.0, 0, 951_782_400, 1_795_392_000, 4_102_444_799.9]  // 1960, 1970, 2000-02-29, 2026, 2099-12-31
            for _ in 0..<1000 { instants.append(Double.random(in: -315_619_200...4_102_444_800, using: &generator)) }
            for seconds in instants {
                let date = Date(timeIntervalSince1970: seconds)
                #expect(local.minutes(date) == formatter.string(from: date), "\(identifier) \(seconds)")
            }
        }
    }
}
