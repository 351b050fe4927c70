package import Foundation
import NadiCore

/// Times as people in the deployment read them: `2026-11-24 22:00` in the deployment's zone, named
/// WIB, WITA or WIT.
package struct LocalTime: Sendable {
    package let zone: TimeZone

    package init(zone: TimeZone) { self.zone = zone }

    /// WIB, WITA or WIT for Indonesia's zones; the identifier otherwise.
    package var zoneName: String {
        switch zone.secondsFromGMT() {
        case 7 * 3600: "WIB"
        case 8 * 3600: "WITA"
        case 9 * 3600: "WIT"
        default: zone.identifier
        }
    }

    /// `2026-11-24 22:00`. By hand from the zone's offset at that instant (a `DateFormatter` made
    /// per call cost more than the query behind a page of 200 devices).
    package func minutes(_ date: Date) -> String {
        // To the millisecond first, as Foundation's formatter does (99675119.9998973 is 15:32:00, not 15:31:59).
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded()) + Int64(zone.secondsFromGMT(for: date)) * 1000
        let local = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        var days = local / 86_400
        var seconds = local % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        let (year, month, day) = Timestamp.civil(days: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(seconds / 3600)):\(two(seconds % 3600 / 60))"
    }
}
