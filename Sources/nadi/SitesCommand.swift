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
            (records, lines) = try InventoryFiles.sites(csv: data)
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
