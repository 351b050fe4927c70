package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// The rollout trajectory: installed and operational devices of one kind in a region subtree at the
/// end of every month since the first installation, with the masterplan's `units` milestones.
/// "Operational at the end of a month" is `nadi_operational` at the last instant of that month in
/// the deployment time zone (the current month: now), the definition every coverage figure uses.
/// Month ends before the oldest state interval anywhere are not looked up: with no history, no
/// device was operational then, and a date comparison replaces a per-device lookup at every month
/// end for all but the months the history covers.
package struct TrajectoryQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The trajectory of `kind` under `region` (nil: all of Indonesia, which has no milestones).
    /// The start of the oldest state interval anywhere (`.distantFuture` with none): no device was
    /// operational, as far as Nadi knows, before it. Read once and passed to several `trajectory`
    /// calls (a page of four kinds) it is not looked up four times.
    package func historyStart() async throws -> Date {
        var start = Date.distantFuture
        for try await value in try await client.query("SELECT min(started_at) FROM status_interval", logger: logger).decode(
            PostgresTimestamp?.self)
        {
            if let value { start = value.date }
        }
        return start
    }

    package func trajectory(
        region: RegionCode?, kind: DeviceKind, timeZone: TimeZone, now: Date = Date(), historyStart: Date? = nil
    ) async throws
        -> RolloutTrajectory
    {
        let filter = region?.rawValue ?? ""
        var first: Date?
        for try await value in try await client.query(
            """
            SELECT min(installed_on)::timestamptz FROM device
            WHERE kind = \(kind.rawValue) AND (\(filter) = '' OR region <@ nullif(\(filter), '')::ltree)
            """, logger: logger
        ).decode(Date?.self) { first = value }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = CalendarDay(now, in: timeZone)
        var points: [TrajectoryPoint] = []
        if let first {
            // installed_on is a date; read it back as the same calendar day.
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC") ?? timeZone
            let start = utc.dateComponents([.year, .month], from: first)
            var months: [(label: String, day: String, at: Date, current: Bool)] = []
            var year = start.year ?? today.year
            var month = start.month ?? today.month
            while (year, month) <= (today.year, today.month) {
                let isCurrent = (year, month) == (today.year, today.month)
                let nextYear = month == 12 ? year + 1 : year
                let nextMonth = month == 12 ? 1 : month + 1
                let nextStart = CalendarDay(year: nextYear, month: nextMonth, day: 1).start(in: timeZone)
                let lastDay = CalendarDay(nextStart.addingTimeInterval(-1), in: timeZone)
                months.append(
                    (
                        String(format: "%04d-%02d", year, month), isCurrent ? today.description : lastDay.description,
                        isCurrent ? now : nextStart.addingTimeInterval(-0.000_001), isCurrent
                    ))
                (year, month) = (nextYear, nextMonth)
            }
            var counts: [Int: (Int, Int)] = [:]
            var historyFrom = Date.distantFuture
            if let historyStart { historyFrom = historyStart } else { historyFrom = try await self.historyStart() }
            // The devices once (with whether each is operational now); per month end, a count over
            // them: installed then, and operational then — now for the current month, by their
            // intervals for months inside the state history, none before it.
            for try await (index, installed, operational) in try await client.query(
                """
                WITH m AS (
                    SELECT * FROM unnest(\(months.map(\.at))::timestamptz[], \(months.map(\.day))::date[], \(months.map(\.current))::bool[])
                                  WITH ORDINALITY AS m(at, day, current, idx)
                ),
                dev AS MATERIALIZED (
                    SELECT d.id, d.installed_on, d.decommissioned_on, coalesce(n.op, false) AS op_now
                    FROM device d LEFT JOIN device_operational_now n ON n.device_id = d.id
                    WHERE d.kind = \(kind.rawValue) AND (\(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree)
                )
                SELECT m.idx::int8,
                       (SELECT count(*) FROM dev
                        WHERE nadi_in_service(dev.installed_on, dev.decommissioned_on, m.day))::int8,
                       (CASE WHEN m.current THEN
                                 (SELECT count(*) FROM dev WHERE dev.op_now AND nadi_in_service(dev.installed_on, dev.decommissioned_on, m.day))
                             WHEN m.at >= \(historyFrom.pg)::timestamptz THEN
                                 (SELECT count(*) FROM dev WHERE nadi_in_service(dev.installed_on, dev.decommissioned_on, m.day)
                                    AND EXISTS (SELECT 1 FROM nadi_operational(dev.id, m.at, false) o WHERE o.op))
                             ELSE 0 END)::int8
                FROM m
                """, logger: logger
            ).decode((Int, Int, Int).self) { counts[index - 1] = (installed, operational) }
            for (index, month) in months.enumerated() {
                let (installed, operational) = counts[index] ?? (0, 0)
                points.append(TrajectoryPoint(month: month.label, installed: installed, operational: operational))
            }
        }
        var milestones: [Milestone] = []
        if let region {
            milestones = try await self.milestones(region: region, kind: kind)
        }
        return RolloutTrajectory(
            region: region?.rawValue ?? "", kind: kind, points: points, milestones: milestones, currentYear: today.year)
    }

    /// The region's `units` milestones for `kind`, its own or summed from its descendants'.
    func milestones(region: RegionCode, kind: DeviceKind) async throws -> [Milestone] {
        var own: [TargetTree.Key: [Milestone]] = [:]
        for try await (code, year, value) in try await client.query(
            """
            SELECT region::text, year, value FROM target
            WHERE kind = \(kind.rawValue) AND metric = 'units' AND region <@ \(region.rawValue)::ltree
            """, logger: logger
        ).decode((String, Int, Double).self) {
            guard let code = RegionCode(code) else { continue }
            own[TargetTree.Key(region: code, kind: kind, metric: .units), default: []].append(Milestone(year: year, value: value))
        }
        var children: [RegionCode: [RegionCode]] = [:]
        for try await code in try await client.query(
            "SELECT code::text FROM region WHERE code <@ \(region.rawValue)::ltree AND code <> \(region.rawValue)::ltree",
            logger: logger
        ).decode(String.self) {
            guard let code = RegionCode(code), let parent = code.parent else { continue }
            children[parent, default: []].append(code)
        }
        return TargetTree(milestones: own, children: children).milestones(TargetTree.Key(region: region, kind: kind, metric: .units))
    }
}
