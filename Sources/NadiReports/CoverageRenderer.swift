import Foundation
package import NadiCore

/// Renders the coverage report as a table (people) or CSV (machines). JSON is `CoverageReport` itself.
package enum CoverageRenderer {
    package static let csvHeader = [
        "region", "name", "level", "kind", "metric", "target", "installed", "operational", "achieved", "achievement_pct", "status",
        "next_milestone_year", "next_milestone_value", "schools", "schools_covered",
    ]

    package static func csv(_ report: CoverageReport) -> String {
        CSVText.render(
            header: csvHeader,
            rows: report.rows.map { row in
                [
                    row.region, row.name, row.level, row.kind.rawValue, row.metric.rawValue, row.target.map { "\($0)" } ?? "",
                    String(row.installed),
                    String(row.operational), "\(row.achieved)", row.achievementPct.map { "\($0)" } ?? "", row.status.rawValue,
                    row.nextMilestone.map { String($0.year) } ?? "", row.nextMilestone.map { "\($0.value)" } ?? "",
                    row.schools.map(String.init) ?? "", row.schoolsCovered.map(String.init) ?? "",
                ]
            })
    }

    /// An aligned table, regions indented by depth, status coloured when `colours`. A `schools_pct`
    /// row counts schools, not devices: how many there are and how many have a working camera.
    package static func table(_ report: CoverageReport, colours: Bool) -> String {
        let rows = report.rows.map { row -> [String] in
            let depth = RegionCode(row.region).map { $0.level.depth - 1 } ?? 0
            let unit = row.metric == .schoolsPct ? "%" : row.metric == .km ? " km" : ""
            return [
                String(repeating: "  ", count: depth) + row.region, row.name, row.kind.rawValue, row.metric.rawValue,
                row.target.map { Format.number($0) + unit } ?? "-",
                row.schools.map { "\($0) schools" } ?? String(row.installed),
                row.schoolsCovered.map { "\($0) covered" } ?? String(row.operational),
                Format.number(row.achieved) + unit, Format.percent(row.achievementPct), row.status.rawValue,
                row.nextMilestone.map { "\($0.year): \(Format.number($0.value))\(unit)" } ?? "-",
            ]
        }
        let body = TextTable.render(
            header: [
                "REGION", "NAME", "KIND", "METRIC", "TARGET", "INSTALLED", "OPERATIONAL", "ACHIEVED", "ACHIEVEMENT", "STATUS",
                "NEXT MILESTONE",
            ],
            rows: rows, rightAligned: [4, 5, 6, 7, 8],
            colour: colours ? { column, cell in column == 9 ? StatusColour.code(cell) : nil } : nil)
        let rule =
            report.rows.contains { $0.metric == .schoolsPct }
            ? report.schoolsRule == .goodPicture
                ? "; schools count with a camera showing a good picture now" : "; schools count with an operational camera"
            : ""
        return "Coverage as of \(report.asOf) (targets for \(report.year)\(rule))\n" + body
    }
}
