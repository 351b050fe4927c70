import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Uptime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Uptime per device or per region, from the state history.",
        discussion: """
            Uptime = time operational (up or degraded) ÷ time with a known state, within the window and the \
            device's installed life. Time before a device's first ping is unknown, not down; silence counts as \
            down. Regions are time-weighted over their devices.

            Examples:
              nadi uptime --since 30d --below 99                      # the SLA breach list, worst first
              nadi uptime --region 16.71 --by region --from 2026-11-01 --to 2026-11-30
            """)

    enum Grouping: String, ExpressibleByArgument, CaseIterable { case device, region }

    @Option(help: "Only devices under this region code (a Kemendagri code such as 16 or 16.71.05).") var region: RegionCode?
    @Option(help: "Only this kind: \(DeviceKind.allowedValues).") var kind: DeviceKind?
    @Option(help: "The last N days (e.g. 30d) or hours (e.g. 12h) up to now.") var since: String?
    @Option(help: "First day of the window (YYYY-MM-DD, inclusive).") var from: CalendarDay?
    @Option(help: "Last day of the window (YYYY-MM-DD, inclusive).") var to: CalendarDay?
    @Option(help: "device or region.") var by: Grouping = .device
    @Option(help: "With --by region: the level to group by (default: one below --region).") var depth: RegionLevel?
    @Option(help: "Only rows with uptime below this percentage, worst first.") var below: Double?
    @OptionGroup var time: ReportTimeZone
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if since != nil, from != nil || to != nil { throw ValidationError("use --since or --from/--to, not both") }
        if (from == nil) != (to == nil) { throw ValidationError("--from and --to go together") }
        if let from, let to, to < from { throw ValidationError("--to is before --from") }
        if let since, Self.seconds(since) == nil {
            throw ValidationError("--since takes a number of days or hours up to 100 years (36500d), e.g. 30d or 12h")
        }
        if let below, !(0...100).contains(below) { throw ValidationError("--below is a percentage, 0–100") }
    }

    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0, value.isFinite else { return nil }
        let seconds: TimeInterval
        switch unit {
        case "d": seconds = value * 86_400
        case "h": seconds = value * 3_600
        default: return nil
        }
        // At most 100 years back: further than any installed device, and within every date type.
        return seconds <= 36_500 * 86_400 ? seconds : nil
    }

    func run() async throws {
        let zone = time.zone
        let now = Date()
        let window: Range<Date>
        if let from, let to {
            window = from.start(in: zone)..<max(from.start(in: zone), min(to.end(in: zone), now))
        } else {
            window = now.addingTimeInterval(-(Self.seconds(since ?? "30d") ?? 2_592_000))..<now
        }
        let region = self.region
        let kind = self.kind
        let below = self.below
        switch by {
        case .device:
            var rows = try await database.withClient { client in
                try await UptimeQuery(client: client, logger: CLILogger.make()).byDevice(
                    region: region, kind: kind, window: window, timeZone: zone, now: now)
            }
            if let below {
                rows = UptimeFilter.below(below, rows, uptime: \.uptimePct)
            }
            switch format {
            case .json: print(String(decoding: try JSONEncoder.report.encode(rows), as: UTF8.self))
            case .csv: print(UptimeRenderer.csv(rows), terminator: "")
            case .table:
                print(UptimeRenderer.table(rows, colours: Terminal.colours))
                print("\(rows.count) devices, window \(Timestamp.format(window.lowerBound)) – \(Timestamp.format(window.upperBound))")
            }
        case .region:
            let depth = self.depth ?? RegionLevel.allCases.first { $0.depth == (region?.level.depth ?? 0) + 1 } ?? .district
            var rows = try await database.withClient { client in
                try await UptimeQuery(client: client, logger: CLILogger.make()).byRegion(
                    region: region, depth: depth, kind: kind, window: window, timeZone: zone, now: now)
            }
            if let below {
                rows = UptimeFilter.below(below, rows, uptime: \.uptimePct)
            }
            switch format {
            case .json: print(String(decoding: try JSONEncoder.report.encode(rows), as: UTF8.self))
            case .csv: print(UptimeRenderer.csv(rows), terminator: "")
            case .table: print(UptimeRenderer.table(rows))
            }
        }
        try await noteRetroactiveWindows(region: region, kind: kind, window: window, zone: zone)
    }

    /// Names the retroactive maintenance windows that changed these figures (after a table; on
    /// standard error after CSV and JSON, whose shape stays as documented).
    func noteRetroactiveWindows(region: RegionCode?, kind: DeviceKind?, window: Range<Date>, zone: TimeZone) async throws {
        let windows = try await database.withClient { client in
            try await MaintenanceStore(client: client, logger: CLILogger.make()).retroactive(
                scope: nil, region: region, kind: kind, overlapping: window)
        }
        guard !windows.isEmpty else { return }
        let local = LocalTime(zone: zone)
        var lines = [
            "note: \(windows.count) retroactive maintenance window\(windows.count == 1 ? "" : "s") (created after the time they cover) changed these figures:"
        ]
        for item in windows {
            lines.append(
                "  #\(item.id) \(MaintenanceTable.target(item)), \(MaintenanceTable.span(item, zone: zone)), created \(local.minutes(item.createdAt)) \(local.zoneName) by \(item.createdBy): \(item.reason)"
            )
        }
        let text = lines.joined(separator: "\n") + "\n"
        if format == .table { print(text, terminator: "") } else { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
