package import Foundation
package import NadiCore

/// The region a report covers and how deep it goes.
package struct ReportScope: Sendable, Equatable {
    /// The region (nil: all of Indonesia).
    package var region: RegionCode?
    /// The deepest level listed.
    package var depth: RegionLevel

    package init(region: RegionCode?, depth: RegionLevel) {
        self.region = region
        self.depth = depth
    }

    /// The ltree filter for SQL: the region's code, or "" for everything.
    var filter: String { region?.rawValue ?? "" }
}

/// The instant a report looks at, from an "as of" day in the deployment's time zone: the end of
/// that day, or now when the day is today (or later).
package struct ReportInstant: Sendable {
    package var day: CalendarDay
    package var instant: Date

    package init(asOf day: CalendarDay?, timeZone: TimeZone, now: Date = Date()) {
        let today = CalendarDay(now, in: timeZone)
        let chosen = day ?? today
        self.day = chosen
        self.instant = chosen >= today ? now : chosen.end(in: timeZone)
    }
}
