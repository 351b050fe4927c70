import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore
import PostgresNIO

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
              nadi coverage --region 16.71 --format html --output report.html          # Bahasa Indonesia; --lang en
              nadi coverage --region 16.71 --trajectory --kind cctv    # month by month since the first installation

            --trajectory prints, per kind, the devices installed and operational at the end of every month since the first
            installation (operational as of the month's last instant in the deployment's zone), the masterplan milestones of
            the units metric, and the projection at the pace of the last 12 months: the year the next target is reached, or
            "target already met".
            """)

    @Option(help: "Region code (default: the only regency or province with data, else all of Indonesia).") var region: String?
    @Option(help: "Deepest level listed: province, regency or district (default: one below --region).") var depth: String?
    @Option(help: "Only this kind: \(DeviceKind.allowedValues).") var kind: String?
    @Option(help: "Only this metric: \(TargetMetric.allowedValues).") var metric: String?
    @Option(help: "Report as of the end of this day (YYYY-MM-DD; default: now).") var asOf: String?
    @Flag(
        help: ArgumentHelp(
            "schools_pct counts only schools with a camera showing a good picture now (not black, frozen, blurred or too slow).",
            discussion: "By default a school counts when one of its cameras is operational. The report says which rule it used."))
    var requireGoodImage = false
    @OptionGroup var time: ReportTimeZone
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, html }

    @Option(help: "table, csv, json, or html (a self-contained page with charts and the school panel).") var format: Format = .table
    @OptionGroup var output: OutputOptions
    @Option(help: "Language of the HTML report: id (Bahasa Indonesia) or en.") var lang: String = "id"
    @Flag(help: "Print the rollout trajectory (monthly installed/operational and the projection) instead of the report.")
    var trajectory = false
    @OptionGroup var database: DatabaseOptions

    /// The request, validated the same way as `GET /v1/coverage`'s.
    var request: Result<CoverageRequest, CoverageRequestError> {
        CoverageRequest.parse(region: region, depth: depth, kind: kind, metric: metric, asOf: asOf, requireGoodImage: requireGoodImage)
    }

    func validate() throws {
        if case .failure(let problem) = request {
            throw ValidationError("--\(problem.field.replacingOccurrences(of: "_", with: "-")) \(problem.problem)")
        }
        guard MessageLanguage(rawValue: lang) != nil else { throw ValidationError("--lang must be id or en") }
        if trajectory, format == .html { throw ValidationError("--trajectory prints table, csv or json (the console draws it)") }
        if trajectory, asOf != nil { throw ValidationError("--trajectory runs up to now; --as-of does not apply") }
    }

    func runTrajectory(_ parsed: CoverageRequest) async throws {
        let zone = time.zone
        let trajectories = try await database.withClient { client -> [RolloutTrajectory] in
            let query = CoverageQuery(client: client, logger: CLILogger.make())
            if let region = parsed.region, try await !query.exists(region) {
                throw CLIError("no region \(region); import regions with `nadi regions import --builtin`")
            }
            let scope = try await query.scope(region: parsed.region, depth: nil)
            let kinds = parsed.kinds.isEmpty ? DeviceKind.allCases : DeviceKind.allCases.filter(parsed.kinds.contains)
            var found: [RolloutTrajectory] = []
            for kind in kinds {
                let trajectory = try await TrajectoryQuery(client: client, logger: CLILogger.make()).trajectory(
                    region: scope.region, kind: kind, timeZone: zone)
                if !trajectory.points.isEmpty { found.append(trajectory) }
            }
            return found
        }
        let text: String
        switch format {
        case .json: text = String(decoding: try JSONEncoder.report.encode(trajectories), as: UTF8.self) + "\n"
        case .csv: text = TrajectoryRenderer.csv(trajectories)
        default: text = trajectories.isEmpty ? "no devices installed in this region yet\n" : TrajectoryRenderer.table(trajectories)
        }
        try output.write(text)
    }

    func run() async throws {
        let parsed = try request.get()
        if trajectory { return try await runTrajectory(parsed) }
        let region = parsed.region
        let depth = parsed.depth
        let at = ReportInstant(asOf: parsed.asOf, timeZone: time.zone)
        let kinds = parsed.kinds
        let metrics = parsed.metrics
        let format = self.format
        let zone = time.zone
        let (report, html) = try await database.withClient { client -> (CoverageReport, String?) in
            let query = CoverageQuery(client: client, logger: CLILogger.make())
            if let region, try await !query.exists(region) {
                throw CLIError("no region \(region); import regions with `nadi regions import --builtin`")
            }
            let scope = try await query.scope(region: region, depth: depth)
            let report = try await query.report(scope: scope, at: at, kinds: kinds, metrics: metrics, schoolRule: parsed.schoolRule)
            guard format == .html else { return (report, nil) }
            let schools = try await SchoolCCTVQuery(client: client, logger: CLILogger.make()).schools(
                region: scope.region, level: nil, timeZone: zone)
            let newest = try await DeviceStateStore(client: client, logger: CLILogger.make()).newestSeen()
            let place = report.rows.first { $0.region == scope.region?.rawValue }?.name ?? "Indonesia"
            let incidents = try await IncidentQuery(client: client, logger: CLILogger.make()).open(region: scope.region)
            let language = MessageLanguage(rawValue: lang) ?? .id
            let input = HTMLReport.Input(
                title: (language == .id ? "Cakupan kota cerdas — " : "Smart city coverage — ") + place, coverage: report, schools: schools,
                newestPing: newest, incidents: incidents, language: language, timeZone: zone)
            return (report, HTMLReport.render(input))
        }
        let text: String
        switch format {
        case .json: text = String(decoding: try JSONEncoder.report.encode(report), as: UTF8.self) + "\n"
        case .csv: text = CoverageRenderer.csv(report)
        case .table: text = CoverageRenderer.table(report, colours: output.toTerminal && Terminal.colours) + "\n"
        case .html: text = html ?? ""
        }
        try output.write(text, summary: "coverage (\(report.rows.count) rows)")
    }
}
