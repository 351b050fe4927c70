import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Incidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open incidents: each root device that is down, with how many devices are down because of it.",
        discussion: """
            A camera behind a cut fiber link is not an incident of its own: it counts under the link. The cause is `own`
            (a failure of the root) or `maintenance` (planned work, see nadi maintenance).
            """)

    @Option(help: "Only incidents with devices under this region code (a Kemendagri code such as 16 or 16.71.05).") var region: RegionCode?
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
    }

    func run() async throws {
        let region = self.region
        let incidents = try await database.withClient { client in
            try await IncidentQuery(client: client, logger: CLILogger.make()).open(region: region)
        }
        let zone = time.zone
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(incidents), as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: ["root", "name", "kind", "region", "since", "cause", "dependents_down"],
                    rows: incidents.map {
                        [
                            $0.root, $0.name, $0.kind, $0.region, $0.since.map(Timestamp.format) ?? "", $0.cause.rawValue,
                            String($0.dependentsDown),
                        ]
                    }), terminator: "")
        case .table:
            let local = LocalTime(zone: zone)
            print(
                TextTable.render(
                    header: ["ROOT", "KIND", "REGION", "SINCE (\(local.zoneName))", "CAUSE", "DEPENDENTS DOWN", "NAME"],
                    rows: incidents.map {
                        [
                            $0.root, $0.kind, $0.region, $0.since.map(local.minutes) ?? "-", $0.cause.rawValue,
                            String($0.dependentsDown),
                            $0.name,
                        ]
                    }, rightAligned: [5]))
            print("\(incidents.count) open incidents")
        }
    }
}
