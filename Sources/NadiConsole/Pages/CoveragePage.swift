import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Cakupan: the masterplan report for a region and the level below it (drill-down links), and
    /// the rollout trajectory of every kind with its projection.
    func coverage(_ context: PageContext) async throws -> Response {
        let ceiling = context.session?.user.region
        let (asked, allowed) = context.region(ceiling: ceiling)
        guard allowed else { throw PageNotFound() }
        let query = CoverageQuery(client: client, logger: logger)
        if let asked, !(try await query.exists(asked)) { throw PageNotFound() }
        let scope = try await query.scope(region: asked, depth: nil)
        let report = try await query.report(scope: scope, at: ReportInstant(asOf: nil, timeZone: configuration.timeZone))
        let language = context.language
        let words = ConsoleCatalog.words(language)
        let region = scope.region
        var groups: [(code: String, name: String, level: String, rows: [CoverageRow])] = []
        for row in report.rows {
            if let index = groups.firstIndex(where: { $0.code == row.region }) {
                groups[index].rows.append(row)
            } else {
                groups.append((row.region, row.name, row.level, [row]))
            }
        }
        var page = common(context, title: "nav_coverage", active: "/coverage")
        page["as_of"] = report.asOf.description
        page["year"] = report.year
        page["regions"] = groups.map { group -> [String: Any] in
            let code = RegionCode(group.code)
            let isSelf = code == region
            let canDrill = !isSelf && (code?.level ?? .village) < .village
            return [
                "code": group.code, "name": group.name, "is_self": isSelf,
                "href": canDrill ? "/coverage?region=\(group.code)" : "",
                "rows": group.rows.map { row -> [String: Any] in
                    [
                        "kind": ConsoleCatalog.kind(row.kind, language), "metric": row.metric.rawValue,
                        "target": row.target.map { Format.number($0) } ?? "–",
                        "installed": row.schools.map { "\($0) \(words["schools_unit"] ?? "")" } ?? "\(row.installed)",
                        "operational": row.schoolsCovered.map { "\($0) \(words["covered_unit"] ?? "")" } ?? "\(row.operational)",
                        "achieved": Format.number(row.achieved), "pct": Format.percent(row.achievementPct), "status": row.status.rawValue,
                        "status_label": words["status_" + row.status.rawValue] ?? row.status.rawValue,
                        "next": row.nextMilestone.map { "\($0.year): \(Format.number($0.value))" } ?? "–",
                    ]
                },
            ]
        }
        if let region, region != ceiling, let parent = region.parent ?? ceiling, ceiling.map({ parent.isWithin($0) }) ?? true {
            page["up_href"] = "/coverage?region=\(parent.rawValue)"
        } else if region != nil, region != ceiling, ceiling == nil {
            page["up_href"] = "/coverage"
        }
        let trajectories = TrajectoryQuery(client: client, logger: logger)
        let historyStart = try await trajectories.historyStart()
        var charts: [[String: Any]] = []
        for kind in DeviceKind.allCases {
            let trajectory = try await trajectories.trajectory(
                region: region, kind: kind, timeZone: configuration.timeZone, historyStart: historyStart)
            guard !trajectory.points.isEmpty else { continue }
            charts.append([
                "kind": ConsoleCatalog.kind(kind, language),
                "svg": SVGChart.trajectory(
                    trajectory, installedLabel: words["installed"] ?? "", operationalLabel: words["operational"] ?? ""),
                "sentence": TrajectoryRenderer.spoken(trajectory.projection, words),
                "milestones": trajectory.milestones.map { "\($0.year): \(Format.number($0.value, decimals: 0))" }.joined(separator: " · "),
                "pace": Format.number(trajectory.projection.pacePerMonth),
            ])
        }
        page["charts"] = charts
        let reportRegion = region?.rawValue ?? scope.region?.rawValue
        page["reports"] = reportMonths().prefix(6).map { month -> [String: Any] in
            let base = "/laporan/bulanan?region=\(PageContext.encode(reportRegion ?? ""))&month=\(month)&lang=\(language.rawValue)"
            return [
                "month": MonthlyReportRenderer.monthName(month, language), "pdf": base + "&format=pdf", "html": base + "&format=html",
                "csv": base + "&format=csv",
            ]
        }
        page["region_name"] = groups.first { RegionCode($0.code) == region }?.name ?? "Indonesia"
        return renderer.page("coverage", page)
    }

}
