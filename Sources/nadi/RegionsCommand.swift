import ArgumentParser
import Foundation
import NadiCore
import NadiStore

struct Regions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administrative regions (Kemendagri codes).", subcommands: [RegionsImport.self])
}

struct RegionsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load regions from a CSV file, or every province, kabupaten/kota and kecamatan of Indonesia with --builtin.",
        discussion: """
            CSV columns: code,parent_code,level,name,type[,lat,lon] — e.g. `16.71.01,16.71,district,Ilir Barat Satu,kecamatan`.
            The import is one transaction: a bad row (malformed code, duplicate, missing parent, wrong column count) \
            fails it with the line number and nothing is stored. Running it again updates names and adds what is new.
            The builtin data is Kepmendagri No. 300.2.2-2138 Tahun 2025 via cahyadsn/wilayah (MIT); see SOURCES.md.
            """)

    @Argument(help: "CSV file to import.") var file: String?
    @Flag(help: "Import the regions shipped with Nadi.") var builtin = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if builtin == (file != nil) { throw ValidationError("give a FILE or --builtin (not both)") }
    }

    func run() async throws {
        let rows: [RegionRow]
        if builtin {
            rows = try RegionImporter.builtinRows()
        } else {
            let path = file ?? ""
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
            do {
                rows = try RegionImporter.parse(CSVDocument(data: data))
            } catch let error as ImportError {
                throw CLIError("\(path): \(error); nothing was imported")
            }
        }
        let summary: RegionImportSummary
        do {
            summary = try await database.withClient { client in
                try await RegionImporter(client: client, logger: CLILogger.make()).importRows(rows)
            }
        } catch let error as ImportError {
            throw CLIError("\(file ?? "builtin"): \(error); nothing was imported")
        }
        for level in RegionLevel.allCases {
            if let count = summary.byLevel[level] { print("\(level.rawValue): \(count)") }
        }
        print("\(summary.inserted) new, \(summary.updated) updated")
    }
}
