import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct NotifySchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Send the monthly report to a channel every month.",
        discussion: """
            On --day of each month at --at (the deployment's time), nadid sends the report of the month before to the \
            channel: as a document to Telegram (sendDocument) and WhatsApp (a document message), and as a signed JSON body with \
            the console's download link to a webhook. Each month is sent once, across restarts and several nadid; \
            `nadi notify schedule list` shows the last month sent and how it went.
            """,
        subcommands: [NotifyScheduleAdd.self, NotifyScheduleList.self, NotifyScheduleRemove.self])
}

struct NotifyScheduleAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Schedule a region's monthly report for a channel.",
        discussion: "Example: nadi notify schedule add --channel ops-telegram --report monthly --region 16.71 --day 1 --at 07:00")
    enum Kind: String, ExpressibleByArgument, CaseIterable { case monthly }
    enum Format: String, ExpressibleByArgument, CaseIterable { case pdf, html, csv }

    @Option(help: "The channel's name (nadi notify list).") var channel: String
    @Option(help: "The report: monthly.") var report: Kind = .monthly
    @Option(help: "The region of the report (a Kemendagri code).") var region: RegionCode
    @Option(help: "Day of the month, 1–28.") var day = 1
    @Option(help: "Local time, HH:MM.") var at = "07:00"
    @Option(help: "pdf (needs Chromium on the nadid host; HTML is sent without it), html or csv.") var format: Format = .pdf
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if case .failure(let problem) = ReportScheduleRule.parse(day: day, at: at) { throw ValidationError(problem.description) }
    }

    func run() async throws {
        guard case .success(let rule) = ReportScheduleRule.parse(day: day, at: at) else { return }
        let (channel, region, format) = (self.channel, self.region, self.format.rawValue)
        do {
            let schedule = try await database.withClient { client in
                try await ReportScheduleStore(client: client, logger: CLILogger.make()).add(
                    channel: channel, region: region, rule: rule, format: format)
            }
            let local = LocalTime(zone: time.zone)
            let next = rule.nextSend(after: schedule.createdAt, in: time.zone)
            print(
                "schedule #\(schedule.id): the monthly report of \(region.rawValue) goes to '\(channel)' on day \(rule.day) at \(rule.time) as \(format); first: \(next.month) on \(local.minutes(next.at)) \(local.zoneName)"
            )
        } catch let refused as ReportScheduleStore.Refused {
            throw CLIError("not added: \(refused.description)")
        }
    }
}

struct NotifyScheduleList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The report schedules and the last month each sent.",
        discussion:
            "Each schedule's channel, region, day and time, format, and the newest month sent with its state. Example: nadi notify schedule list --format json"
    )
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let schedules = try await database.withClient { client in
            try await ReportScheduleStore(client: client, logger: CLILogger.make()).list()
        }
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(schedules), as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: ["id", "channel", "region", "day", "at", "format", "last_month", "last_state", "last_error"],
                    rows: schedules.map {
                        [
                            String($0.id), $0.channel, $0.region, String($0.rule.day), $0.rule.time, $0.format, $0.lastMonth ?? "",
                            $0.lastState ?? "",
                            $0.lastError ?? "",
                        ]
                    }), terminator: "")
        case .table:
            print(
                TextTable.render(
                    header: ["ID", "CHANNEL", "REGION", "WHEN", "FORMAT", "LAST SENT"],
                    rows: schedules.map {
                        [
                            String($0.id), $0.channel, $0.region, "day \($0.rule.day) \($0.rule.time)", $0.format,
                            Self.lastSent($0),
                        ]
                    }))
            print("\(schedules.count) schedules")
        }
    }
}

extension NotifyScheduleList {
    /// `2026-11 delivered`, `2026-11 pending (HTTP 502)`, or `-`.
    static func lastSent(_ schedule: ReportSchedule) -> String {
        guard let month = schedule.lastMonth else { return "-" }
        return "\(month) \(schedule.lastState ?? "")" + (schedule.lastError.map { " (\($0.prefix(60)))" } ?? "")
    }
}

struct NotifyScheduleRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a report schedule by its id.",
        discussion: "The months already sent stay in the history of the channel. Example: nadi notify schedule remove 3")
    @Argument(help: "The schedule's id (nadi notify schedule list).") var id: Int32
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let id = self.id
        let removed = try await database.withClient { client in
            try await ReportScheduleStore(client: client, logger: CLILogger.make()).remove(id: id)
        }
        guard removed else { throw CLIError("no schedule #\(id) (nadi notify schedule list)") }
        print("schedule #\(id) removed")
    }
}
