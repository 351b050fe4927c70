import ArgumentParser
import Foundation
import NadiCore
import NadiPrinting
import NadiReports
import NadiStore

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports for the mayor, the ministry and auditors.",
        subcommands: [ReportMonthly.self])
}

extension ReportMonth: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

struct ReportMonthly: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monthly",
        abstract: "The monthly report of a region: coverage, uptime and SLA, worst devices, schools, retroactive windows.",
        discussion: """
            What a planner sends upward each month, printable on A4, in Bahasa
            Indonesia (English with --lang en):
              - coverage against the masterplan at the end of the month, with the
                rollout trajectory and its projection;
              - uptime and SLA per kind and per kabupaten/kota (or kecamatan), down
                time split by cause — what `nadi uptime` prints for the month;
              - the ten worst devices with their outages in the month;
              - schools with and without a working camera (as they stand now);
              - the month's retroactive maintenance windows: by whom, when, why.
            PDF is printed by headless Chromium (bash Deploy/setup.sh --reports).
            The console's coverage page offers the same report (Laporan bulanan);
            `nadi notify schedule add` sends it to a channel every month.

            Examples:
              nadi report monthly --region 16.71 --month 2026-11 --format pdf \\
                  --output laporan-2026-11.pdf
              nadi report monthly --region 16.71 --format csv > laporan.csv
              nadi report monthly --region 16 --lang en --output report.html
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, pdf, csv }

    @Option(help: "The region (a Kemendagri code: 16 for a province, 16.71 for a kota).") var region: RegionCode
    @Option(help: "The month, YYYY-MM (default: last month).") var month: ReportMonth?
    @Option(help: "html, pdf or csv.") var format: Format = .html
    @Option(help: "Language: id (Bahasa Indonesia) or en.") var lang = "id"
    @OptionGroup var output: OutputOptions
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard MessageLanguage(rawValue: lang) != nil else { throw ValidationError("--lang must be id or en") }
        if let month, month > ReportMonth(Date(), in: time.zone) {
            throw ValidationError("--month \(month) has not begun yet")
        }
        if format == .pdf, output.output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("a PDF does not belong on a terminal: add --output FILE.pdf (or redirect standard output)")
        }
    }

    func run() async throws {
        let zone = time.zone
        let month = self.month ?? ReportMonth(Date(), in: zone).previous
        let region = self.region
        let language = MessageLanguage(rawValue: lang) ?? .id
        let printer = format == .pdf ? PDFPrinter.find() : nil
        if format == .pdf, printer == nil { throw CLIError(PDFPrinter.installHint) }
        guard
            let report = try await database.withClient({ client in
                try await MonthlyReportQuery(client: client, logger: CLILogger.make()).report(region: region, month: month, timeZone: zone)
            })
        else { throw CLIError("unknown region \(region.rawValue) (nadi regions list)") }
        let summary = "monthly report of \(report.regionName) (\(region.rawValue)) for \(month)"
        switch format {
        case .csv: try output.write(MonthlyReportRenderer.csv(report), summary: summary)
        case .html: try output.write(MonthlyReportRenderer.html(report, language: language, timeZone: zone), summary: summary)
        case .pdf:
            guard let printer else { throw CLIError(PDFPrinter.installHint) }
            let pdf: Data
            do {
                pdf = try await printer.pdf(html: MonthlyReportRenderer.html(report, language: language, timeZone: zone))
            } catch let failure as PDFPrinter.Failure {
                throw CLIError("the PDF was not printed: \(failure.description)")
            }
            if let path = output.output {
                guard FileManager.default.createFile(atPath: path, contents: pdf) else { throw CLIError("cannot write \(path)") }
                FileHandle.standardError.write(Data("\(summary) written to \(path) (\(pdf.count / 1024) KiB)\n".utf8))
            } else {
                FileHandle.standardOutput.write(pdf)
            }
        }
    }
}
