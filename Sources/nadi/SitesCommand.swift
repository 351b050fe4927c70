import ArgumentParser
import Foundation
import NadiCore
import NadiStore

struct Sites: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sites: schools, offices, intersections, public spaces, POPs.", subcommands: [SitesImport.self])
}

struct SitesImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load sites from CSV: code,kind,name,region,lat,lon[,level].",
        discussion: """
            Schools use their NPSN (8 characters) as code; level is SD, SMP, SMA, SMK, SLB, … \
            Sites are inserted or updated by code. A bad row fails the import with its line number and nothing is stored.
            Example row: 10603845,school,SMP NEGERI 1 PALEMBANG,16.71.05,-2.97,104.76,SMP
            """)

    @Argument(help: "CSV file to import.") var file: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let records: [(index: Int, record: SiteRecord)]
        let lines: [Int]
        do {
            let document = try CSVDocument(data: data)
            let column = try document.columns(required: ["code", "kind", "name", "region", "lat", "lon"], optional: ["level"])
            try document.requireRectangular()
            var parsed: [(Int, SiteRecord)] = []
            var lineNumbers: [Int] = []
            for (index, row) in document.records.enumerated() {
                func field(_ name: String) -> String { column[name].map { row.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
                var coordinates: (Double?, Double?) = (nil, nil)
                if !field("lat").isEmpty || !field("lon").isEmpty {
                    guard let lat = Double(field("lat")), let lon = Double(field("lon")) else {
                        throw ImportError(line: row.line, "lat and lon must be decimal degrees, or both empty")
                    }
                    coordinates = (lat, lon)
                }
                var attributes: [String: JSONValue] = [:]
                if !field("level").isEmpty { attributes["level"] = .string(field("level")) }
                let input = SiteInput(
                    code: field("code"), kind: field("kind"), name: field("name"), region: field("region"), lat: coordinates.0,
                    lon: coordinates.1, attributes: attributes)
                switch RecordValidation.site(input) {
                case .success(let record):
                    parsed.append((index, record))
                    lineNumbers.append(row.line)
                case .failure(let problem): throw ImportError(line: row.line, problem.description)
                }
            }
            records = parsed
            lines = document.records.map(\.line)
        } catch let error as ImportError {
            throw CLIError("\(file): \(error); nothing was imported")
        }
        do {
            let outcome = try await database.withClient { client in
                try await InventoryStore(client: client, logger: CLILogger.make()).upsertSites(records, allOrNothing: true)
            }
            print("\(outcome.accepted) sites imported")
        } catch let error as RejectedBatch {
            let first = error.rejected.prefix(10).map { "\(file): line \(lines[$0.index]): \($0.error)" }
            throw CLIError((first + ["nothing was imported"]).joined(separator: "\n"))
        }
    }
}
