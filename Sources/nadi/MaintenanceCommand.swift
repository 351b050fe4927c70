import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Maintenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Planned work: time a device is down inside a window covering it counts as maintenance, not as an outage.",
        subcommands: [MaintenanceAdd.self, MaintenanceList.self, MaintenanceCancel.self])
}

struct MaintenanceAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Plan a maintenance window over one device or a region (optionally one kind).",
        discussion: """
            Times are local to --time-zone unless they carry an offset. A window lasts at most 31 days and may not overlap
            another open window over the same target. A window that starts in the past is retroactive: it changes figures
            already reported, so the API and the console accept it from admins only; it is marked as such in lists, and
            `nadi uptime` and the console's uptime page name it under the figures it changed. It may start at most a year back.

            Examples:
              nadi maintenance add --device PLG-FO-3 --from "2026-11-24 22:00" --to "2026-11-25 02:00" --reason "Penyambungan ulang kabel FO"
              nadi maintenance add --region 16.71.05 --kind cctv --from 2026-11-24T08:00:00+07:00 --to 2026-11-24T12:00:00+07:00 --reason "Ganti NVR"
            """)

    @Option(help: "The device's id.") var device: String?
    @Option(help: "A region code: every device under it (with --kind, only that kind).") var region: String?
    @Option(help: "With --region: only this kind (\(DeviceKind.allowedValues)).") var kind: String?
    @Option(help: "Start: \"2026-11-24 22:00\" (local) or RFC 3339 with an offset.") var from: String
    @Option(help: "End (exclusive), as --from.") var to: String
    @Option(help: "What the work is, for the people who see the window.") var reason: String
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    var request: Result<MaintenanceRequest, MaintenanceProblem> {
        MaintenanceRequest.parse(device: device, region: region, kind: kind, from: from, to: to, reason: reason, timeZone: time.zone)
    }

    func validate() throws {
        if case .failure(let problem) = request { throw ValidationError(problem.description) }
    }

    func run() async throws {
        let parsed = try request.get()
        let creator = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "operator")
        do {
            let window = try await database.withClient { client in
                try await MaintenanceStore(client: client, logger: CLILogger.make()).add(
                    parsed, scope: nil, createdBy: creator, mayBackdate: true)
            }
            print(
                "maintenance window #\(window.id) added: \(MaintenanceTable.target(window)), \(MaintenanceTable.span(window, zone: time.zone))"
            )
            if window.retroactive {
                print("note: it starts in the past (retroactive): reports over that time now say it changed their figures")
            }
        } catch let refused as MaintenanceRefused {
            throw CLIError("not added: \(refused)")
        }
    }
}

struct MaintenanceList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List maintenance windows that have not ended (with --all, every window).",
        discussion: """
            Times are shown in the deployment's zone (--time-zone). Examples:
              nadi maintenance list --active
              nadi maintenance list --region 16.71.05 --all
            """)
    @Flag(help: "Only windows in force now.") var active = false
    @Option(help: "Only windows over devices or regions under this code (a Kemendagri code such as 16 or 16.71.05).") var region:
        RegionCode?
    @Flag(help: "Include cancelled and ended windows.") var all = false
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
    }

    func run() async throws {
        let region = self.region
        let active = self.active
        let all = self.all
        let windows = try await database.withClient { client in
            try await MaintenanceStore(client: client, logger: CLILogger.make()).list(
                scope: nil, region: region, activeAt: active ? Date() : nil, includeCancelled: all)
        }
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(windows), as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: [
                        "id", "device", "region", "kind", "from", "to", "reason", "created_by", "cancelled_at", "created_at", "retroactive",
                    ],
                    rows: windows.map {
                        [
                            String($0.id), $0.device ?? "", $0.region ?? "", $0.kind ?? "", Timestamp.format($0.from),
                            Timestamp.format($0.to),
                            $0.reason, $0.createdBy, $0.cancelledAt.map(Timestamp.format) ?? "", Timestamp.format($0.createdAt),
                            String($0.retroactive),
                        ]
                    }), terminator: "")
        case .table:
            print(
                TextTable.render(
                    header: ["ID", "TARGET", "WHEN (\(LocalTime(zone: time.zone).zoneName))", "REASON", "BY", "STATE"],
                    rows: windows.map {
                        [
                            String($0.id), MaintenanceTable.target($0), MaintenanceTable.span($0, zone: time.zone), $0.reason, $0.createdBy,
                            MaintenanceTable.state($0),
                        ]
                    }, rightAligned: [0]))
            print("\(windows.count) windows")
        }
    }
}

struct MaintenanceCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a maintenance window that has not ended (it is kept).",
        discussion: """
            A window that has not started is cancelled whole (kept, marked cancelled). A window in force ends now: the time
            already spent inside it still counts as maintenance, and from now on an outage counts as one. An ended window
            cannot be cancelled: that would rewrite figures already reported. Example:
              nadi maintenance cancel 12
            """)
    @Argument(help: "The window's id (nadi maintenance list).") var id: Int64
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let id = self.id
        let cancellation = try await database.withClient { client in
            try await MaintenanceStore(client: client, logger: CLILogger.make()).cancel(id: id, scope: nil)
        }
        switch cancellation {
        case .cancelled: print("maintenance window #\(id) cancelled")
        case .endedNow: print("maintenance window #\(id) was in force: it ends now (the time already in it stays maintenance)")
        case .notFound: throw CLIError("no maintenance window #\(id) that has not ended (an ended window cannot be cancelled)")
        }
    }
}

/// How windows read in a terminal.
enum MaintenanceTable {
    static func state(_ window: MaintenanceWindow, now: Date = Date()) -> String {
        let state = window.cancelledAt != nil ? "cancelled" : window.to <= now ? "ended" : window.from <= now ? "in force" : "planned"
        return window.retroactive ? state + ", retroactive" : state
    }

    static func target(_ window: MaintenanceWindow) -> String {
        if let device = window.device { return device }
        return (window.region ?? "?") + (window.kind.map { " (\($0))" } ?? "")
    }

    static func span(_ window: MaintenanceWindow, zone: TimeZone) -> String {
        let local = LocalTime(zone: zone)
        return "\(local.minutes(window.from)) – \(local.minutes(window.to)) \(local.zoneName)"
    }
}
