import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exports for other offices.", subcommands: [ExportSchoolCCTV.self])
}

struct ExportSchoolCCTV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "school-cctv",
        abstract: "Which schools have a working camera: one row per school, including schools with none.",
        discussion: """
            Columns: npsn,name,level,region,region_name,lat,lon,cctv_installed,cctv_operational,cctv_public,uptime_30d_pct,covered,last_seen
            A camera belongs to a school when its site is the school's NPSN; covered = at least one operational camera; \
            cctv_public = cameras flagged viewable by parents. JSON and GeoJSON also list public_streams (stream URLs of \
            public cameras only; private streams never appear). GeoJSON leaves out schools without coordinates and says how many.

            Examples:
              nadi export school-cctv --region 16.71 --output sekolah-cctv.csv
              nadi export school-cctv --region 16.71 --level SMP --format geojson --output smp.geojson
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, geojson, json }

    @Option(help: "Only schools under this region code (a Kemendagri code such as 16 or 16.71.05).") var region: RegionCode?
    @Option(help: "Only this level: SD, SMP, SMA, SMK, SLB, …") var level: String?
    @Option(help: "csv, geojson or json.") var format: Format = .csv
    @OptionGroup var output: OutputOptions
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
    }

    func run() async throws {
        let region = self.region
        let level = self.level
        let zone = time.zone
        let schools = try await database.withClient { client in
            try await SchoolCCTVQuery(client: client, logger: CLILogger.make()).schools(region: region, level: level, timeZone: zone)
        }
        let text: String
        switch format {
        case .csv: text = SchoolExportRenderer.csv(schools)
        case .json: text = try SchoolExportRenderer.json(schools) + "\n"
        case .geojson:
            let (geojson, leftOut) = try SchoolExportRenderer.geojson(schools)
            text = geojson + "\n"
            if leftOut > 0 {
                FileHandle.standardError.write(
                    Data("\(leftOut) of \(schools.count) schools have no coordinates and are not in the GeoJSON\n".utf8))
            }
        }
        try output.write(text, summary: "\(schools.count) schools (\(schools.filter(\.covered).count) covered by a working camera)")
    }
}
