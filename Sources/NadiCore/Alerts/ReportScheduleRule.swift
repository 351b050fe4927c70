package import Foundation

/// When a scheduled monthly report goes out: on `day` of each month at `atMinute` (minutes after
/// local midnight), the report of the month before.
package struct ReportScheduleRule: Sendable, Equatable {
    /// 1–28, so every month has the day.
    package var day: Int
    package var atMinute: Int

    package init(day: Int, atMinute: Int) {
        self.day = day
        self.atMinute = atMinute
    }

    /// Reads `--day` and `--at HH:MM`; the failure says how to write them.
    package static func parse(day: Int, at: String) -> Result<ReportScheduleRule, DecodeProblem> {
        guard (1...28).contains(day) else {
            return .failure(DecodeProblem("--day must be 1–28 (every month has it); the report of the month before is sent that day"))
        }
        let parts = at.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return .failure(DecodeProblem("--at must be a local time HH:MM, e.g. 07:00")) }
        return .success(ReportScheduleRule(day: day, atMinute: hour * 60 + minute))
    }

    /// `07:00`.
    package var time: String {
        let hour = atMinute / 60
        let minute = atMinute % 60
        return "\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
    }

    /// When the report of `month` is sent: the next month's `day` at `time`, in `zone`.
    package func sendTime(for month: ReportMonth, in zone: TimeZone) -> Date {
        let next = month.month == 12 ? ReportMonth(year: month.year + 1, month: 1) : ReportMonth(year: month.year, month: month.month + 1)
        return CalendarDay(year: next.year, month: next.month, day: day).start(in: zone).addingTimeInterval(Double(atMinute) * 60)
    }

    /// The first time a report goes out after `date`, and the month it covers.
    package func nextSend(after date: Date, in zone: TimeZone) -> (at: Date, month: ReportMonth) {
        let previous = ReportMonth(date, in: zone).previous
        let thisMonth = sendTime(for: previous, in: zone)
        if thisMonth > date { return (thisMonth, previous) }
        let current = ReportMonth(date, in: zone)
        return (sendTime(for: current, in: zone), current)
    }

    /// The month whose report is due at `now`: last month, once this month's send time has passed,
    /// for a schedule that existed before that time (one added on the 15th with `--day 1` first
    /// sends next month). Nil when nothing is due.
    package func dueMonth(now: Date, created: Date, zone: TimeZone) -> ReportMonth? {
        let month = ReportMonth(now, in: zone).previous
        let send = sendTime(for: month, in: zone)
        guard now >= send, created <= send else { return nil }
        return month
    }
}
