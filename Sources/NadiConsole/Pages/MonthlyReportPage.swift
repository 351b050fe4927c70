import Foundation
import Hummingbird
import Logging
import NIOCore
import NadiCore
import NadiPrinting
import NadiReports
import NadiStore

extension ConsoleController {
    /// `/laporan/bulanan?region=16.71&month=2026-11&format=pdf|html|csv`: the monthly report of a
    /// region within the user's own, as `nadi report monthly` writes it (default: last month, PDF).
    func monthlyReportDownload(_ context: PageContext) async throws -> Response {
        let (asked, allowed) = context.region(ceiling: context.session?.user.region)
        guard allowed else { throw PageNotFound() }
        let query = CoverageQuery(client: client, logger: logger)
        var region = asked
        if region == nil { region = try await query.defaultScope().region }
        guard let region else { throw PageNotFound() }
        let zone = configuration.timeZone
        let current = ReportMonth(Date(), in: zone)
        let month = context.parameter("month").flatMap { ReportMonth($0) } ?? current.previous
        guard month <= current else { throw PageNotFound() }
        guard
            let report = try await MonthlyReportQuery(client: client, logger: logger).report(region: region, month: month, timeZone: zone)
        else { throw PageNotFound() }
        let name = "laporan-bulanan-\(region.rawValue)-\(month)"
        func file(_ bytes: ByteBuffer, type: String, ext: String) -> Response {
            Response(
                status: .ok,
                headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name).\(ext)\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: bytes))
        }
        switch context.parameter("format") ?? "pdf" {
        case "csv": return file(ByteBuffer(string: MonthlyReportRenderer.csv(report)), type: "text/csv; charset=utf-8", ext: "csv")
        case "html":
            let html = MonthlyReportRenderer.html(report, language: context.language, timeZone: zone)
            return file(ByteBuffer(string: html), type: "text/html; charset=utf-8", ext: "html")
        case "pdf":
            guard let printer = PDFPrinter.find() else {
                logger.warning("monthly report: no PDF printer", metadata: ["hint": "\(PDFPrinter.installHint)"])
                return errorPage(context, status: .serviceUnavailable, key: "report_no_pdf")
            }
            let pdf = try await printer.pdf(html: MonthlyReportRenderer.html(report, language: context.language, timeZone: zone))
            return file(ByteBuffer(bytes: pdf), type: "application/pdf", ext: "pdf")
        default: throw PageNotFound()
        }
    }

    /// The last twelve months, newest first, for the coverage page's report links.
    func reportMonths() -> [ReportMonth] {
        var months: [ReportMonth] = []
        var month = ReportMonth(Date(), in: configuration.timeZone)
        for _ in 0..<12 {
            month = month.previous
            months.append(month)
        }
        return months
    }
}
