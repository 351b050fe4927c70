import Foundation
import Logging
import NadiCore
import NadiPrinting
import NadiReports
import NadiStore

/// Builds and sends the scheduled monthly reports that are due: the month is claimed in the
/// database first (`ReportScheduleStore.claimDue`), so it is sent once however many nadid run.
struct ReportDispatcher: Sendable {
    let client: DatabaseClient
    let configuration: NotifierConfiguration
    let logger: Logger

    /// Claims what is due now and returns the dispatches waiting to be sent.
    func due() async throws -> [ReportDispatch] {
        let store = ReportScheduleStore(client: client, logger: logger)
        let claimed = try await store.claimDue(now: Date(), zone: configuration.timeZone)
        if claimed > 0 { logger.info("monthly reports due", metadata: ["reports": "\(claimed)"]) }
        return try await store.pending(now: Date())
    }

    /// Builds each report and sends it to its channel, recording the outcome.
    func send(_ dispatches: [ReportDispatch], channels: [Int32: NotifyChannelSecret], sender: AlertSender) async {
        let store = ReportScheduleStore(client: client, logger: logger)
        for dispatch in dispatches {
            guard !Task.isCancelled else { return }
            do {
                guard let channel = channels[dispatch.schedule.channelID], channel.channel.disabledAt == nil else { continue }
                let (document, note) = try await build(dispatch, language: channel.channel.language)
                var outcome = await sender.send(document: document, to: channel)
                if let note { outcome.detail = [note, outcome.detail].compactMap { $0 }.joined(separator: "; ") }
                let retryAt =
                    outcome.delivered || outcome.permanent
                    ? nil
                    : configuration.retryAt(
                        attempts: dispatch.attempts + 1, created: dispatch.created, now: Date(), asked: outcome.retryAfter,
                        jitter: Double.random(in: 0...1))
                try await store.record(
                    dispatch, delivered: outcome.delivered, status: outcome.status, error: outcome.detail, retryAt: retryAt)
                logger.info(
                    outcome.delivered ? "monthly report sent" : "monthly report not sent",
                    metadata: [
                        "channel": "\(channel.channel.name)", "region": "\(dispatch.schedule.region)", "month": "\(dispatch.month)",
                        "detail": "\(outcome.detail ?? "")",
                    ])
            } catch {
                logger.warning(
                    "monthly report failed; will retry",
                    metadata: ["schedule": "\(dispatch.schedule.id)", "error": "\(PostgresErrorText.describe(error))"])
                let retryAt = configuration.retryAt(
                    attempts: dispatch.attempts + 1, created: dispatch.created, now: Date(), asked: nil, jitter: Double.random(in: 0...1))
                try? await store.record(dispatch, delivered: false, status: nil, error: "\(error)", retryAt: retryAt)
            }
        }
    }

    /// The report as a file in the schedule's format. A PDF without Chromium becomes the HTML
    /// (printable from a browser), with a note for the log.
    func build(_ dispatch: ReportDispatch, language: MessageLanguage) async throws -> (ReportDocument, String?) {
        guard let region = RegionCode(dispatch.schedule.region),
            let report = try await MonthlyReportQuery(client: client, logger: logger).report(
                region: region, month: dispatch.month, timeZone: configuration.timeZone)
        else { throw ReportGone(region: dispatch.schedule.region) }
        let name = "laporan-bulanan-\(region.rawValue)-\(dispatch.month)"
        let caption =
            language == .en
            ? "Monthly report \(report.regionName) — \(MonthlyReportRenderer.monthName(dispatch.month, .en))"
            : "Laporan bulanan \(report.regionName) — \(MonthlyReportRenderer.monthName(dispatch.month, .id))"
        let link = configuration.publicURL.map {
            $0.absoluteString.trimmingCharacters(in: ["/"])
                + "/laporan/bulanan?region=\(region.rawValue)&month=\(dispatch.month)&format=pdf"
        }
        func document(_ data: Data, _ ext: String, _ type: String) -> ReportDocument {
            ReportDocument(
                data: data, filename: "\(name).\(ext)", mimeType: type, caption: caption, link: link, region: region.rawValue,
                month: dispatch.month.description, eventID: "report-\(dispatch.schedule.id)-\(dispatch.month)")
        }
        switch dispatch.schedule.format {
        case "csv": return (document(Data(MonthlyReportRenderer.csv(report).utf8), "csv", "text/csv"), nil)
        case "html":
            return (
                document(
                    Data(MonthlyReportRenderer.html(report, language: language, timeZone: configuration.timeZone).utf8), "html", "text/html"
                ), nil
            )
        default:
            let html = MonthlyReportRenderer.html(report, language: language, timeZone: configuration.timeZone)
            guard let printer = PDFPrinter.find() else {
                return (document(Data(html.utf8), "html", "text/html"), "sent as HTML: \(PDFPrinter.installHint)")
            }
            return (document(try await printer.pdf(html: html), "pdf", "application/pdf"), nil)
        }
    }
}

/// A scheduled report's region no longer exists.
struct ReportGone: Error, CustomStringConvertible {
    let region: String
    var description: String { "region \(region) is gone" }
}
