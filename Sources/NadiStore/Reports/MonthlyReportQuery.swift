package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Gathers the monthly report of a region from the queries the other reports use, so its figures
/// are the ones `nadi coverage`, `nadi uptime` and the school export print for the same month.
package struct MonthlyReportQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// How many of the worst devices the report lists.
    package static let worstCount = 10

    /// The report of `region` for `month`; nil when the region is unknown.
    package func report(region: RegionCode, month: ReportMonth, timeZone: TimeZone, now: Date = Date()) async throws -> MonthlyReport? {
        let coverageQuery = CoverageQuery(client: client, logger: logger)
        guard try await coverageQuery.exists(region) else { return nil }
        let scope = try await coverageQuery.scope(region: region, depth: nil)
        // The end of the month, or today for the month under way.
        let asOf = min(month.lastDay, CalendarDay(now, in: timeZone))
        let coverage = try await coverageQuery.report(scope: scope, at: ReportInstant(asOf: asOf, timeZone: timeZone, now: now))
        let window = month.window(in: timeZone)
        let trajectories = TrajectoryQuery(client: client, logger: logger)
        let historyStart = try await trajectories.historyStart()
        var rollout: [RolloutTrajectory] = []
        for kind in DeviceKind.allCases {
            let trajectory = try await trajectories.trajectory(
                region: region, kind: kind, timeZone: timeZone, now: min(now, window.upperBound.addingTimeInterval(-1)),
                historyStart: historyStart)
            if !trajectory.points.isEmpty { rollout.append(trajectory) }
        }
        let uptime = UptimeQuery(client: client, logger: logger)
        var byKind: [(kind: DeviceKind, uptime: RegionUptime)] = []
        for kind in DeviceKind.allCases {
            let rows = try await uptime.byRegion(
                region: region, depth: region.level, kind: kind, window: window, timeZone: timeZone, now: now)
            if let row = rows.first(where: { $0.region == region.rawValue }), row.devices > 0 { byKind.append((kind, row)) }
        }
        let below = RegionLevel.allCases.first { $0.depth == region.level.depth + 1 } ?? region.level
        let summary = try await uptime.summary(
            region: region, depth: below, kind: nil, window: window, timeZone: timeZone, now: now, lowest: Self.worstCount)
        let worst = try await incidents(of: summary.lowest, window: window, now: now)
        let schools = try await SchoolCCTVQuery(client: client, logger: logger).schools(
            region: region, level: nil, timeZone: timeZone, now: now)
        let retroactive = try await MaintenanceStore(client: client, logger: logger).retroactive(
            scope: nil, region: region, kind: nil, overlapping: window
        ).map {
            MonthlyReport.RetroactiveWindow(
                id: $0.id, target: $0.device ?? (($0.region ?? "?") + ($0.kind.map { " (\($0))" } ?? "")), from: $0.from, to: $0.to,
                createdAt: $0.createdAt, createdBy: $0.createdBy, reason: $0.reason)
        }
        var name = coverage.rows.first { $0.region == region.rawValue }?.name
        if name == nil { name = try await regionName(region) }
        return MonthlyReport(
            region: region, regionName: name ?? region.rawValue, month: month, window: window, generatedAt: now, coverage: coverage,
            trajectories: rollout,
            uptimeByKind: byKind, uptimeByArea: summary.regions, worst: worst, schools: schools, retroactive: retroactive)
    }

    /// The names of `devices`, and their stretches of not working that began in `window`: how many
    /// and the longest (an open one counts up to now or the window's end).
    func incidents(of devices: [DeviceUptime], window: Range<Date>, now: Date) async throws -> [MonthlyReport.WorstDevice] {
        guard !devices.isEmpty else { return [] }
        let end = min(window.upperBound, now)
        var found: [String: (name: String, count: Int, longest: Double)] = [:]
        for try await (device, name, count, longest) in try await client.query(
            """
            SELECT d.external_id, d.name, count(i.started_at)::int8,
                   coalesce(max(extract(epoch FROM least(coalesce(i.ended_at, \(end.pg)), \(end.pg)) - i.started_at)), 0)::float8
            FROM device d
            LEFT JOIN status_interval i ON i.device_id = d.id AND NOT nadi_is_operational(i.status)
                  AND i.started_at >= \(window.lowerBound.pg) AND i.started_at < \(end.pg)
            WHERE d.external_id = ANY(\(devices.map(\.device)))
            GROUP BY d.external_id, d.name
            """, logger: logger
        ).decode((String, String, Int64, Double).self) { found[device] = (name, Int(count), longest) }
        return devices.map {
            let known = found[$0.device]
            return MonthlyReport.WorstDevice(
                uptime: $0, name: known?.name ?? "", incidents: known?.count ?? 0, longestS: known?.longest ?? 0)
        }
    }

    private func regionName(_ region: RegionCode) async throws -> String? {
        for try await name in try await client.query("SELECT name FROM region WHERE code = \(region.rawValue)::ltree", logger: logger)
            .decode(String.self)
        { return name }
        return nil
    }
}
