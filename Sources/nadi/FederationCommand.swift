import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore
import PostgresNIO

struct Federation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A provincial or national view: regency databases published, mirrored by logical replication.",
        discussion: """
            Each kabupaten/kota runs its own Nadi and publishes its region; a province (or the ministry) subscribes to each
            with PostgreSQL's own logical replication. Regions, sites, devices, state and its history, targets,
            maintenance and acknowledged incidents are replicated — not raw pings. On the subscriber, reports, the console
            and the school export cover every mirrored region, and pings or inventory for a mirrored region are refused
            (they belong to the regency's Nadi).

            Ids are origin-qualified: a published database's device ids are its BPS code × 10^12 + a local number
            (16.71 → 1671000000000001…), so rows of many sources never collide. External device ids are unique per
            origin; site codes are nationwide (schools carry their NPSN).

            The publisher needs wal_level = logical and must accept connections from the subscriber's PostgreSQL;
            the subscriber connects as a PostgreSQL superuser. Deploy/federation.sh sets up a province and its regencies.

            Examples:
              nadi federation publish --region 16.71                       # on Kota Palembang's database
              nadi federation subscribe --name plg --from postgres://nadi:secret@plg-db/nadi   # on Sumatera Selatan's
              nadi federation status
              nadi federation unsubscribe --name plg
            """,
        subcommands: [FederationPublish.self, FederationSubscribe.self, FederationUnsubscribe.self, FederationStatus.self])
}

struct FederationPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish this database's region for provinces to subscribe to (on a regency's database).",
        discussion: """
            Creates the publication nadi_federation: the region's subtree of regions, targets and maintenance, and all
            sites, devices, device state, state intervals, upstream links and incident acknowledgements. The database must
            hold nothing outside the region. The first time, existing device and maintenance ids move into the region's
            origin range; stop nadid for that (it is refused while one runs) and start it again right after.
            Running it again changes nothing. Example: nadi federation publish --region 16.71
            """)

    @Option(help: "The province or regency this database publishes, e.g. 16.71.") var region: String
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard let code = RegionCode(region) else { throw ValidationError("--region '\(region)' is not \(RegionCode.formatHelp)") }
        guard FederationOrigin(region: code) != nil else {
            throw ValidationError("--region must be a province or a regency (e.g. 16 or 16.71)")
        }
    }

    func run() async throws {
        guard let code = RegionCode(region) else { return }
        do {
            let outcome = try await database.withClient { client in
                try await FederationPublisher(client: client, logger: CLILogger.make()).publish(code)
            }
            guard outcome.created || outcome.renumberedDevices > 0 else {
                print("\(code) is published already (origin \(outcome.origin.number)); nothing changed")
                return
            }
            print("published \(code) as origin \(outcome.origin.number): publication \(FederationPublisher.publication)")
            if outcome.renumberedDevices + outcome.renumberedWindows > 0 {
                print(
                    "moved \(outcome.renumberedDevices) devices and \(outcome.renumberedWindows) maintenance windows into ids \(outcome.origin.firstID + 1)…"
                )
            }
            print("next, on the province's database: nadi federation subscribe --name NAME --from postgres://USER:PASSWORD@THIS-HOST/DB")
        } catch let error as FederationRefused {
            throw CLIError("not published: \(error)")
        }
    }
}

struct FederationSubscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe", abstract: "Mirror a regency's published database here (on a province's database).",
        discussion: """
            --from is the source database's URL as this machine's nadi and this database's PostgreSQL server both reach it
            (the server connects to it itself, and keeps the URL, password included, in its pg_subscription catalogue).
            The first copy is waited for (--wait seconds); later changes stream in within seconds.
            This database's own rows of the source's regions give way to the source's; devices, sites or targets of its
            own there are refused, as are site codes both sides use.
            Example: nadi federation subscribe --name plg --from postgres://nadi:secret@10.1.71.5/nadi
            """)

    @Option(help: "A short name for the source: a–z, 0–9 and _, e.g. plg.") var name: String
    @Option(help: "The source database's URL.") var from: String
    @Option(help: "Seconds to wait for the first copy of every table (0: do not wait).") var wait: Int = 120
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let problem = FederationSourceName.problem(name) { throw ValidationError("--name: \(problem)") }
        do { _ = try DatabaseURL(parsing: from) } catch { throw ValidationError("--from: \(error)") }
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be 0–3600 seconds") }
    }

    func run() async throws {
        let source = try DatabaseURL(parsing: from)
        let logger = CLILogger.make()
        if let problem = await DatabaseProbe.check(source, logger: logger) {
            throw CLIError("cannot reach the source \(source): \(problem)")
        }
        do {
            let outcome = try await database.withClient { client in
                let sourceClient = try DatabaseClient(url: source, logger: logger) { $0.options.maximumConnections = 2 }
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await sourceClient.run() }
                    defer { group.cancelAll() }
                    return try await FederationSubscriber(client: client, logger: logger).subscribe(
                        name: name, source: source, sourceClient: sourceClient, wait: .seconds(wait))
                }
            }
            print(
                "subscribed to '\(outcome.name)': \(outcome.origin.region) (origin \(outcome.origin.number)), \(outcome.tablesReady)/\(outcome.tables) tables copied, \(outcome.devices) devices, \(String(format: "%.1f s", outcome.seconds))"
            )
            if outcome.tablesReady < outcome.tables {
                print("the first copy goes on; follow it with: nadi federation status")
            }
        } catch let error as FederationRefused {
            throw CLIError("not subscribed: \(error)")
        }
    }
}

struct FederationUnsubscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsubscribe", abstract: "Stop mirroring a source, and remove what was mirrored of it.",
        discussion: """
            Drops the subscription (and its replication slot on the source) and deletes the source's devices, sites,
            targets and maintenance here — the source still has them. --keep-data keeps them as they are (they no longer
            change). --force ends the subscription even when the source cannot be reached; its slot then stays on the
            source (named in the output) and holds WAL there until it is dropped.
            Example: nadi federation unsubscribe --name plg
            """)

    @Option(help: "The source's name, as nadi federation status lists it.") var name: String
    @Flag(help: "Keep the mirrored rows here.") var keepData = false
    @Flag(help: "End the subscription even if the source is unreachable.") var force = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        do {
            let outcome = try await database.withClient { client in
                try await FederationSubscriber(client: client, logger: CLILogger.make()).unsubscribe(
                    name: name, keepData: keepData, force: force)
            }
            print(
                "unsubscribed from '\(name)' (\(outcome.region))"
                    + (keepData ? "; its rows are kept here" : "; \(outcome.devicesRemoved) mirrored devices removed here"))
            if let slot = outcome.slotLeft {
                print("the source was not reached: drop its slot there: SELECT pg_drop_replication_slot('\(slot)');")
            }
        } catch let error as FederationRefused {
            throw CLIError("not unsubscribed: \(error)")
        }
    }
}

struct FederationStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "What this database publishes and mirrors, with the replication lag.",
        discussion: """
            On a publisher: its region and each subscriber's slot with the bytes of WAL it has not confirmed yet.
            On a subscriber: each source with its state (streaming or not), tables copied, seconds since the last message
            from the source (its changes, or keepalives at least every 30 s while idle: half of its wal_sender_timeout), errors, and devices mirrored.
            Example: nadi federation status --format json
            """)

    @Option(help: "table or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let report = try await database.withClient { client in
            try await FederationStatusQuery(client: client, logger: CLILogger.make()).report()
        }
        switch format {
        case .json, .csv:
            let document: [String: Any] = [
                "published": report.published.map { ["region": $0.region, "origin": $0.origin, "devices": $0.devices] as [String: Any] }
                    ?? NSNull(),
                "subscribers": report.subscribers.map {
                    ["slot": $0.slot, "active": $0.active, "lag_bytes": $0.lagBytes.map { $0 as Any } ?? NSNull()] as [String: Any]
                },
                "sources": report.mirrors.map { mirror -> [String: Any] in
                    [
                        "name": mirror.name, "region": mirror.region, "source": mirror.source, "enabled": mirror.enabled,
                        "streaming": mirror.streaming, "tables": mirror.tables, "tables_ready": mirror.tablesReady,
                        "last_message_s": mirror.lastMessageSeconds.map { $0 as Any } ?? NSNull(),
                        "received_lsn": mirror.receivedLSN.map { $0 as Any } ?? NSNull(), "apply_errors": mirror.applyErrors,
                        "sync_errors": mirror.syncErrors, "devices": mirror.devices,
                    ]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .table:
            if let published = report.published {
                print("publishes \(published.region) (origin \(published.origin), \(published.devices) devices)")
                if report.subscribers.isEmpty { print("  no subscriber yet") }
                for subscriber in report.subscribers {
                    let lag = subscriber.lagBytes.map { "\($0) bytes" } ?? "?"
                    print("  subscriber slot \(subscriber.slot): \(subscriber.active ? "connected" : "not connected"), lag \(lag)")
                }
            }
            if !report.mirrors.isEmpty {
                print(
                    TextTable.render(
                        header: ["SOURCE", "REGION", "STATE", "TABLES", "LAST MESSAGE", "ERRORS", "DEVICES", "FROM"],
                        rows: report.mirrors.map { mirror in
                            [
                                mirror.name, mirror.region,
                                !mirror.enabled ? "disabled" : mirror.streaming ? "streaming" : "not connected",
                                "\(mirror.tablesReady)/\(mirror.tables)",
                                mirror.lastMessageSeconds.map { String(format: "%.1f s ago", $0) } ?? "never",
                                "\(mirror.applyErrors + mirror.syncErrors)", "\(mirror.devices)", mirror.source,
                            ]
                        }))
            }
            if report.published == nil, report.mirrors.isEmpty {
                print(
                    "this database neither publishes nor mirrors; see nadi federation publish --help and nadi federation subscribe --help")
            }
        }
    }
}
