import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore
import PostgresNIO

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The device inventory and its state.", subcommands: [DevicesList.self, DevicesImport.self])
}

struct DevicesImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load devices from a JSON array or NDJSON file, in the form POST /v1/inventory takes.",
        discussion: """
            Example record: {"id":"PLG-CCTV-0001","kind":"cctv","region":"16.71.01","site":"10603845","name":"Simpang Charitas",
                             "installed":"2021-03-15","attributes":{"public":true,"stream_url":"rtsp://10.1.2.3/main"}}
            Devices are inserted or updated by id. A bad record fails the import with its index and nothing is stored.
            """)

    @Argument(help: "JSON (array) or NDJSON file.") var file: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let (records, problems) = InventoryFiles.devices(data)
        guard problems.isEmpty else {
            throw CLIError((problems.prefix(10).map { "\(file): \($0)" } + ["nothing was imported"]).joined(separator: "\n"))
        }
        let toStore = records
        do {
            let (outcome, _) = try await database.withClient { client in
                try await InventoryStore(client: client, logger: CLILogger.make()).upsertDevices(toStore, allOrNothing: true)
            }
            print("\(outcome.accepted) devices imported")
        } catch let error as RejectedBatch {
            throw CLIError(
                (error.rejected.prefix(10).map { "\(file): record \($0.index): \($0.error)" } + ["nothing was imported"]).joined(
                    separator: "\n"))
        }
    }
}

struct DevicesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List devices with their state, since when, and when they were last seen.",
        discussion: "--silent lists what ops must chase: devices down because they stopped pinging, and devices never heard from.")

    @Option(help: "Only devices under this region code (a Kemendagri code such as 16 or 16.71.05).") var region: RegionCode?
    @Option(help: "Only this kind: \(DeviceKind.allowedValues).") var kind: String?
    @Option(help: "Only this state: up, degraded, down, unknown.") var status: String?
    @Flag(help: "Only silent devices: down for missed heartbeats, or never seen.") var silent = false
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let kind, DeviceKind(rawValue: kind) == nil { throw ValidationError("--kind must be one of \(DeviceKind.allowedValues)") }
        if let status, DeviceStatus(rawValue: status) == nil { throw ValidationError("--status must be up, degraded, down or unknown") }
    }

    func run() async throws {
        let filter = DeviceFilter(
            region: self.region, kind: self.kind.flatMap { DeviceKind(rawValue: $0) },
            status: self.status.flatMap { DeviceStatus(rawValue: $0) }, silent: silent)
        let rows: [DeviceListing] = try await database.withClient { client in
            let causes = try await IncidentQuery(client: client, logger: CLILogger.make()).currentCauses(region: filter.region)
            return try await DeviceStateStore(client: client, logger: CLILogger.make()).list(filter).map {
                var listing = DeviceListing(
                    device: $0.externalID, kind: $0.kind, region: $0.region, name: $0.name, status: $0.status, reason: $0.reason,
                    since: $0.since, lastSeen: $0.lastSeen)
                listing.cause = causes[$0.externalID]?.cause
                listing.root = causes[$0.externalID]?.root
                return listing
            }
        }
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(rows), as: UTF8.self))
        case .csv: print(DeviceListRenderer.csv(rows), terminator: "")
        case .table:
            print(DeviceListRenderer.table(rows, colours: Terminal.colours))
            print("\(rows.count) devices")
        }
    }
}
