package import Foundation

/// A calendar month (`YYYY-MM`), as the monthly report and its schedule name it.
package struct ReportMonth: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var year: Int
    package var month: Int

    /// Parses `YYYY-MM` strictly (1900–2200); nil otherwise.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), (1900...2200).contains(year), (1...12).contains(month)
        else { return nil }
        self.year = year
        self.month = month
    }

    package init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month `date` falls in, in `timeZone`.
    package init(_ date: Date, in timeZone: TimeZone) {
        let day = CalendarDay(date, in: timeZone)
        self.init(year: day.year, month: day.month)
    }

    /// The month before this one.
    package var previous: ReportMonth {
        month == 1 ? ReportMonth(year: year - 1, month: 12) : ReportMonth(year: year, month: month - 1)
    }

    package var firstDay: CalendarDay { CalendarDay(year: year, month: month, day: 1) }
    package var lastDay: CalendarDay { CalendarDay(year: year, month: month, day: CalendarDay.daysIn(month: month, year: year)) }

    /// From local midnight of the first day to local midnight after the last, in `timeZone`.
    package func window(in timeZone: TimeZone) -> Range<Date> {
        firstDay.start(in: timeZone)..<lastDay.end(in: timeZone)
    }

    package var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    package static func < (lhs: ReportMonth, rhs: ReportMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

/// What the monthly report for a region says (DESIGN.md, "Channels people use, escalation, monthly
/// reports"): coverage against the masterplan at the end of the month with the rollout trajectory,
/// uptime and SLA per kind and per area with causes, the worst devices with their incidents, the
/// schools with and without a working camera, and the month's retroactive maintenance windows.
package struct MonthlyReport: Sendable {
    /// A device among the worst of the month, with how often and how long it was down.
    package struct WorstDevice: Sendable {
        package var uptime: DeviceUptime
        package var name: String
        /// Stretches of not working that began in the month, and the longest of them (seconds).
        package var incidents: Int
        package var longestS: Double

        package init(uptime: DeviceUptime, name: String, incidents: Int, longestS: Double) {
            self.uptime = uptime
            self.name = name
            self.incidents = incidents
            self.longestS = longestS
        }
    }

    /// A maintenance window created after the time it covers, overlapping the month.
    package struct RetroactiveWindow: Sendable {
        package var id: Int64
        package var target: String
        package var from: Date
        package var to: Date
        package var createdAt: Date
        package var createdBy: String
        package var reason: String

        package init(id: Int64, target: String, from: Date, to: Date, createdAt: Date, createdBy: String, reason: String) {
            self.id = id
            self.target = target
            self.from = from
            self.to = to
            self.createdAt = createdAt
            self.createdBy = createdBy
            self.reason = reason
        }
    }

    package var region: RegionCode
    package var regionName: String
    package var month: ReportMonth
    package var window: Range<Date>
    package var generatedAt: Date
    /// Coverage at the end of the month (or now, for the current month).
    package var coverage: CoverageReport
    package var trajectories: [RolloutTrajectory]
    /// The region as a whole, per kind (kinds without devices left out).
    package var uptimeByKind: [(kind: DeviceKind, uptime: RegionUptime)]
    /// One level down (kabupaten/kota under a province, kecamatan under a kota), all kinds.
    package var uptimeByArea: [RegionUptime]
    package var worst: [WorstDevice]
    /// Schools as they stand when the report is made (the state, not the month).
    package var schools: [SchoolCCTV]
    package var retroactive: [RetroactiveWindow]

    package init(
        region: RegionCode, regionName: String, month: ReportMonth, window: Range<Date>, generatedAt: Date, coverage: CoverageReport,
        trajectories: [RolloutTrajectory], uptimeByKind: [(kind: DeviceKind, uptime: RegionUptime)], uptimeByArea: [RegionUptime],
        worst: [WorstDevice], schools: [SchoolCCTV], retroactive: [RetroactiveWindow]
    ) {
        self.region = region
        self.regionName = regionName
        self.month = month
        self.window = window
        self.generatedAt = generatedAt
        self.coverage = coverage
        self.trajectories = trajectories
        self.uptimeByKind = uptimeByKind
        self.uptimeByArea = uptimeByArea
        self.worst = worst
        self.schools = schools
        self.retroactive = retroactive
    }

    /// The coverage rows of the region itself (not its parts), in kind order.
    package var regionCoverage: [CoverageRow] {
        coverage.rows.filter { $0.region == region.rawValue }
    }
}
