import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Incidents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open incidents, and acknowledging one (which stops its escalation).",
        subcommands: [IncidentsList.self, IncidentsAck.self], defaultSubcommand: IncidentsList.self)
}

struct IncidentsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
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

struct IncidentsAck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Acknowledge the open incident of a device: someone is on it.",
        discussion: """
            As the console's acknowledge button: the incident shows who took it, and its escalation (nadi notify add \
            --escalate-after) stops, including steps already queued. The acknowledgement is in the audit trail as cli:<you>. \
            Example: nadi incidents ack PLG-FO-3 --note "tim lapangan menuju lokasi"
            """)
    @Argument(help: "The root device's id.") var device: String
    @Option(help: "What is being done (at most 300 characters).") var note = ""
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard note.count <= 300 else { throw ValidationError("--note takes at most 300 characters") }
    }

    func run() async throws {
        let device = self.device
        let note = self.note
        let acknowledged = try await database.withClient { client in
            try await IncidentAckStore(client: client, logger: CLILogger.make()).acknowledgeCurrent(
                device: device, by: AuditActor.current?.settings?.actor ?? "cli", note: note)
        }
        guard acknowledged else {
            throw CLIError("\(device) has no open incident to acknowledge (unknown, working, or acknowledged already): nadi incidents")
        }
        print("incident of \(device) acknowledged; its escalation stops")
    }
}
