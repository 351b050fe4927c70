package import Foundation

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

    /// `2026-11-24 22:00`.
    package func minutes(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
