import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore
import PostgresNIO

struct Targets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Masterplan milestones.", subcommands: [TargetsImport.self, TargetsList.self])
}

struct TargetsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load masterplan milestones from CSV (region,kind,metric,year,value[,source]) or a JSON array.",
        discussion: """
            metric: units (any kind), km (fiber_link), schools_pct (cctv, 0–100); year 2015–2045; value ≥ 0.
            Milestones are inserted or updated by (region, kind, metric, year). A bad row fails the import with \
            its line number and nothing is stored.
            Example: 16.71,cctv,units,2027,800,RPJMD Kota Palembang 2023-2028
            """)

    @Argument(help: "CSV or JSON file.") var file: String
    @OptionGroup var database: DatabaseOptions

    struct JSONTarget: Decodable {
        var region: String
        var kind: String
        var metric: String
        var year: Int
        var value: Double
        var source: String?
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let targets: [TargetRecord]
        do {
            targets = try parse(data)
        } catch let error as ImportError {
            throw CLIError("\(file): \(error); nothing was imported")
        }
        do {
            let count = try await database.withClient { client in
                try await TargetStore(client: client, logger: CLILogger.make()).upsert(targets)
            }
            print("\(count) milestones imported")
        } catch let error as ImportError {
            throw CLIError("\(file): \(error); nothing was imported")
        }
    }

    func parse(_ data: Data) throws -> [TargetRecord] {
        let isJSON = data.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "[")
        if isJSON {
            let rows: [JSONTarget]
            do { rows = try JSONDecoder().decode([JSONTarget].self, from: data) } catch {
                throw ImportError(line: nil, "malformed JSON: \(DecodeProblem(describing: error))")
            }
            return try rows.enumerated().map { index, row in
                try target(
                    region: row.region, kind: row.kind, metric: row.metric, year: String(row.year), value: String(row.value),
                    source: row.source, line: nil, record: index)
            }
        }
        let document = try CSVDocument(data: data)
        let column = try document.columns(required: ["region", "kind", "metric", "year", "value"], optional: ["source"])
        try document.requireRectangular()
        return try document.records.map { row in
            func field(_ name: String) -> String { column[name].map { row.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            return try target(
                region: field("region"), kind: field("kind"), metric: field("metric"), year: field("year"), value: field("value"),
                source: field("source").isEmpty ? nil : field("source"), line: row.line, record: nil)
        }
    }

    func target(region: String, kind: String, metric: String, year: String, value: String, source: String?, line: Int?, record: Int?) throws
        -> TargetRecord
    {
        func fail(_ reason: String) -> ImportError { ImportError(line: line, record.map { "record \($0): \(reason)" } ?? reason) }
        guard let code = RegionCode(region) else { throw fail("region '\(region)' is not \(RegionCode.formatHelp)") }
        guard let kind = DeviceKind(rawValue: kind) else { throw fail("unknown kind '\(kind)'; expected \(DeviceKind.allowedValues)") }
        guard let metric = TargetMetric(rawValue: metric) else {
            throw fail("unknown metric '\(metric)'; expected \(TargetMetric.allowedValues)")
        }
        guard let year = Int(year) else { throw fail("year '\(year)' is not a number") }
        guard let value = Double(value), value.isFinite else { throw fail("value '\(value)' is not a number") }
        let target = TargetRecord(region: code, kind: kind, metric: metric, year: year, value: value, source: source, line: line ?? 0)
        if let problem = target.problem { throw fail(problem) }
        return target
    }
}

struct TargetsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List milestones.",
        discussion: "The masterplan's milestones as imported (`nadi targets import`). Example: nadi targets list --region 16.71")
    @Option(help: "Only milestones of regions under this code (a Kemendagri code such as 16 or 16.71.05).") var region: RegionCode?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
    }

    func run() async throws {
        let region = self.region
        let rows: [[String]] = try await database.withClient { client in
            try await TargetStore(client: client, logger: CLILogger.make()).list(under: region).map {
                [$0.region, $0.regionName, $0.kind, $0.metric, String($0.year), Format.number($0.value), $0.source ?? ""]
            }
        }
        print(TextTable.render(header: ["REGION", "NAME", "KIND", "METRIC", "YEAR", "VALUE", "SOURCE"], rows: rows, rightAligned: [4, 5]))
    }
}
