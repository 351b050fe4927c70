import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The audit trail: who changed which region, site, device, target, window, user, token or channel, and how.",
        discussion: """
            Every change — from the API, the console, this CLI, or by hand in SQL — is recorded in the same transaction \
            as the change itself: when, who (token:<name>, console:<user>, cli:<os user>, sql:<role>), from which \
            address, the object, its values before and after (only what changed; secrets never), and a request id that \
            ties one API batch, console form or command together. The trail is append-only and hash-chained: \
            `nadi audit verify` walks the chain and names the first row that was altered.

            Examples:
              nadi audit --object device:PLG-CCTV-S10603845        # the history of one camera
              nadi audit --object maintenance --since 30d          # windows planned, changed or cancelled
              nadi audit --actor operator1 --format csv --output trail.csv
              nadi audit verify
            """,
        subcommands: [AuditList.self, AuditVerify.self, AuditPrune.self], defaultSubcommand: AuditList.self)
}

struct AuditList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the trail, newest first (the default of `nadi audit`).",
        discussion: """
            A table by default (the change in one line: `name: Kamera A → Kamera B`), or every field with --format csv \
            or json. Filters combine: --region limits to objects under a region code, --object to one type or one \
            object, --actor to one token, console user or OS user.

            Example:
              nadi audit list --region 16.71 --object site --since 2026-11-01 --until 2026-12-01
            """)

    @Option(help: "Only objects under this region code.") var region: RegionCode?
    @Option(help: "TYPE or TYPE:ID, e.g. device:PLG-FO-1 (types: \(AuditFilter.objectTypes.joined(separator: ", "))).") var object: String?
    @Option(help: "Only changes by this actor: token:NAME, console:USER, cli:USER, or the name alone.") var actor: String?
    @Option(help: "From: N days or hours ago (30d, 12h), a date (YYYY-MM-DD, in --time-zone) or an RFC 3339 time.") var since: String?
    @Option(help: "Until (exclusive): a date or an RFC 3339 time.") var until: String?
    @Option(help: "At most this many rows (1–10000).") var limit = 100
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var output: OutputOptions
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1–10000") }
        var filter = AuditFilter()
        if let object, let problem = filter.setObject(object) { throw ValidationError("--object: \(problem)") }
        if let since, AuditTimes.parse(since, zone: time.zone, allowAgo: true) == nil {
            throw ValidationError("--since takes 30d, 12h, a date YYYY-MM-DD or an RFC 3339 time")
        }
        if let until, AuditTimes.parse(until, zone: time.zone, allowAgo: false) == nil {
            throw ValidationError("--until takes a date YYYY-MM-DD or an RFC 3339 time")
        }
    }

    func run() async throws {
        var filter = AuditFilter()
        filter.region = region
        if let object { _ = filter.setObject(object) }
        filter.actor = actor
        filter.since = since.flatMap { AuditTimes.parse($0, zone: time.zone, allowAgo: true) }
        filter.until = until.flatMap { AuditTimes.parse($0, zone: time.zone, allowAgo: false) }
        filter.limit = limit
        let chosen = filter
        let events = try await database.withClient { client in
            try await AuditStore(client: client, logger: CLILogger.make()).events(chosen)
        }
        let text: String
        switch format {
        case .json: text = String(decoding: try JSONEncoder.report.encode(events), as: UTF8.self) + "\n"
        case .csv:
            text = CSVText.render(
                header: ["id", "at", "actor", "address", "request_id", "action", "object_type", "object_id", "region", "before", "after"],
                rows: events.map {
                    [
                        String($0.id), Timestamp.format($0.at), $0.actor, $0.address ?? "", $0.requestID, $0.action, $0.objectType,
                        $0.objectID, $0.region ?? "", $0.before?.jsonText ?? "", $0.after?.jsonText ?? "",
                    ]
                })
        case .table:
            let local = LocalTime(zone: time.zone)
            text =
                TextTable.render(
                    header: ["ID", "AT (\(local.zoneName))", "ACTOR", "ACTION", "OBJECT", "REGION", "CHANGE"],
                    rows: events.map {
                        [
                            String($0.id), local.minutes($0.at), $0.actor, $0.action, "\($0.objectType):\($0.objectID)", $0.region ?? "",
                            AuditText.change($0),
                        ]
                    }, rightAligned: [0]) + "\n\(events.count) changes\(events.count == limit ? " (more with --limit)" : "")\n"
        }
        try output.write(text, summary: "audit trail (\(events.count) rows)")
    }
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain; name the first row that does not match, and exit 1.",
        discussion: """
            Each row's hash is SHA-256 of the row before's hash and its own content. A row changed behind the table's \
            append-only triggers (by a superuser who disabled them) no longer matches. Prints the head hash: keep it \
            somewhere else (a ticket, a letter to the Inspektorat) to prove later that the trail up to it is unchanged.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (result, guarded) = try await database.withClient { client in
            let store = AuditStore(client: client, logger: CLILogger.make())
            return (try await store.verify(), try await store.guardInstalled())
        }
        if !guarded { print(AuditStore.guardMissing) }
        let pruned = result.prunedBefore.map { " from row \($0.firstID) (older rows pruned \(Timestamp.format($0.at)))" } ?? ""
        if let broken = result.firstBroken {
            print("audit trail BROKEN at row \(broken.id): \(broken.reason) (\(result.rows) rows read\(pruned))")
            throw ExitCode(1)
        }
        print("audit trail intact: \(result.rows) rows\(pruned), head \(result.head ?? "(empty)")")
    }
}

struct AuditPrune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop the audit trail's months older than --retain (kept forever unless you run this).",
        discussion: """
            Drops whole monthly partitions that ended more than --retain months before this month (at least \(AuditStore.minimumRetainMonths): \
            the BPK audits a fiscal year, the Inspektorat the one before). First it records an anchor — the first row kept \
            and the hash of the last row dropped — so `nadi audit verify` still proves the rest of the chain; the pruning \
            itself is a row of the trail (object `audit`: who, when, how many rows, which months). Run it from cron, \
            e.g. monthly: nadi audit prune --retain 60
            """)

    @Option(help: "Months to keep, counted back from the start of this month (at least \(AuditStore.minimumRetainMonths)).") var retain: Int
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard retain >= AuditStore.minimumRetainMonths else {
            throw ValidationError("--retain must be at least \(AuditStore.minimumRetainMonths) months")
        }
    }

    func run() async throws {
        let months = retain
        let pruned: AuditPruning
        do {
            pruned = try await database.withClient { client in
                try await AuditStore(client: client, logger: CLILogger.make()).prune(retainMonths: months)
            }
        } catch let refused as AuditPruningRefused {
            throw CLIError("not pruned: \(refused.description)")
        }
        guard !pruned.partitions.isEmpty else {
            print("nothing older than \(Timestamp.format(pruned.before)) to prune")
            return
        }
        print(
            "pruned \(pruned.rows) rows (\(pruned.partitions.joined(separator: ", "))) older than \(Timestamp.format(pruned.before)); the chain now starts at row \(pruned.firstKept ?? 0), recorded in the trail"
        )
    }
}

/// `--since`/`--until` values.
enum AuditTimes {
    static func parse(_ text: String, zone: TimeZone, allowAgo: Bool) -> Date? {
        if allowAgo, let seconds = Uptime.seconds(text) { return Date().addingTimeInterval(-seconds) }
        if let day = CalendarDay(text) { return day.start(in: zone) }
        return Timestamp.parse(text)
    }
}
