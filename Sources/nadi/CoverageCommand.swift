import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Coverage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Coverage per region against the masterplan's targets.",
        discussion: """
            For each region, kind and metric: devices installed (installed by the date, not decommissioned), \
            operational (up or degraded at the time), what that achieves (units: operational devices; km: length \
            of operational fiber; schools_pct: share of schools with an operational camera), the target for the \
            year (interpolated between milestones; a region without its own sums its children's), and the next milestone.

            Examples:
              nadi coverage                                   # the only regency/province with data, or all provinces
              nadi coverage --region 16.71 --depth district --kind cctv
              nadi coverage --region 16 --as-of 2025-12-31 --format csv > coverage-2025.csv
            """)

    @Option(help: "Region code (default: the only regency or province with data, else all of Indonesia).") var region: String?
    @Option(help: "Deepest level listed: province, regency or district (default: one below --region).") var depth: RegionLevel?
    @Option(help: "Only this kind: \(DeviceKind.allowedValues).") var kind: DeviceKind?
    @Option(help: "Only this metric: \(TargetMetric.allowedValues).") var metric: TargetMetric?
    @Option(help: "Report as of the end of this day (YYYY-MM-DD; default: now).") var asOf: CalendarDay?
    @Option(help: "Time zone of the deployment.") var timeZone = "Asia/Jakarta"
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let region, RegionCode(region) == nil { throw ValidationError("--region must be \(RegionCode.formatHelp)") }
        if depth == .village { throw ValidationError("--depth must be province, regency or district") }
        if let kind, let metric, !kind.allowedMetrics.contains(metric) {
            throw ValidationError("metric \(metric.rawValue) does not apply to \(kind.rawValue)")
        }
        guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("unknown --time-zone '\(timeZone)'") }
    }

    func run() async throws {
        let region = self.region.flatMap { RegionCode($0) }
        let depth = self.depth
        let at = ReportInstant(asOf: asOf, timeZone: TimeZone(identifier: timeZone) ?? .gmt)
        let kinds: Set<DeviceKind> = kind.map { [$0] } ?? []
        let metrics: Set<TargetMetric> = metric.map { [$0] } ?? []
        let report = try await database.withClient { client in
            let query = CoverageQuery(client: client, logger: CLILogger.make())
            let scope = try await query.scope(region: region, depth: depth)
            return try await query.report(scope: scope, at: at, kinds: kinds, metrics: metrics)
        }
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(report), as: UTF8.self))
        case .csv: print(CoverageRenderer.csv(report), terminator: "")
        case .table: print(CoverageRenderer.table(report, colours: Terminal.colours))
        }
    }
}
