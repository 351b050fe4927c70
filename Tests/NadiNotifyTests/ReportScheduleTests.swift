import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiReports
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// Scheduled monthly reports, delivered to local stand-ins for Telegram's Bot API (`sendDocument`)
/// and WhatsApp's Cloud API (`media` upload, then a `document` message).
@Suite("Scheduled monthly reports", .timeLimit(.minutes(3)))
struct ReportScheduleTests {
    static let botToken = "123456:report-bot-\(UUID().uuidString.prefix(6))"

    /// The WhatsApp stand-in: a media upload gets an id, a message a message id.
    static func cloudAPI(_ index: Int, _ request: AlertReceiver.Received) -> AlertReceiver.Answer {
        if request.path.hasSuffix("/media") { return .status(.ok, #"{"id":"MEDIA-4490709327"}"#) }
        return .status(.ok, #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.DOC\#(index)"}]}"#)
    }

    /// The file part of a multipart body.
    static func pdf(in body: Data) -> Data? {
        guard let start = body.range(of: Data("%PDF".utf8)), let end = body.range(of: Data("%%EOF".utf8), options: .backwards) else {
            return nil
        }
        return body[start.lowerBound..<end.upperBound]
    }

    @Test(
        "due on its day: last month's report goes once as a PDF document to Telegram and to WhatsApp, and not again after a restart or with two nadid"
    )
    func sentOnce() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await AlertReceiver.with { telegram in
            try await AlertReceiver.with(answer: Self.cloudAPI) { meta in
                try await TestClient.with(url, maximumConnections: 2) { client in
                    let (_, token) = try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                        name: "admin", region: nil, scopes: Set(TokenScope.allCases))
                    let app = NadiTestApp(url: url, admin: token, palembang: token)
                    let channels = ChannelStore(client: client, logger: TestCluster.quietLogger)
                    _ = try await channels.add(
                        NotifyChannelRequest(
                            name: "ops-tg", region: nil, kinds: nil,
                            target: .telegram(chat: "-1001234567890", api: try #require(URL(string: telegram.url))),
                            secret: Self.botToken))
                    _ = try await channels.add(
                        NotifyChannelRequest.parse(
                            name: "kadis-wa", region: nil, kinds: nil, minDown: nil, language: nil, webhook: nil, telegramChat: nil,
                            telegramAPI: nil, secret: "EAAG-doc-token",
                            whatsapp: WhatsAppFields(
                                phoneNumberID: "106540352242922", recipients: "+6281100000001", incidentTemplate: "nadi_insiden",
                                recoveryTemplate: "nadi_pulih", api: meta.url)
                        ).get())
                    let today = CalendarDay(Date(), in: MonthlyReportTests.zone)
                    let day = String(min(today.day, 28))
                    for channel in ["ops-tg", "kadis-wa"] {
                        let (status, output) = try await NadiCLI.run(
                            [
                                "notify", "schedule", "add", "--channel", channel, "--report", "monthly", "--region", "16.71", "--day", day,
                                "--at", "00:00",
                            ],
                            on: url)
                        #expect(status == 0 && output.contains("schedule #"), "\(output)")
                    }
                    let (refused, said) = try await NadiCLI.run(
                        ["notify", "schedule", "add", "--channel", "ops-tg", "--region", "16.71", "--day", "31"], on: url)
                    #expect(refused != 0 && said.contains("1–28"), "\(said)")
                    // Made today, the schedules first send next month; made 40 days ago, last month's is due now.
                    _ = try await client.query("UPDATE report_schedule SET created_at = now() - interval '40 days'")
                    let month = ReportMonth(Date(), in: MonthlyReportTests.zone).previous

                    let first = try AlertCrashTests.application(url: url, instance: "one")
                    try await first.test(.live) { http in
                        try await MonthlyReportTests.seed(http, app)
                        let sent = try await telegram.waitFor(1, timeout: .seconds(120))  // a PDF through Chromium, in a loaded suite
                        let document = try #require(sent.first)
                        #expect(document.path == "/bot\(Self.botToken)/sendDocument")
                        #expect(document.headers[.contentType]?.hasPrefix("multipart/form-data; boundary=") == true)
                        let body = String(decoding: document.body, as: UTF8.self)
                        #expect(body.contains("name=\"chat_id\"\r\n\r\n-1001234567890\r\n"))
                        #expect(body.contains("filename=\"laporan-bulanan-16.71-\(month).pdf\""))
                        #expect(body.contains("Laporan bulanan Kota Palembang — \(MonthlyReportRenderer.monthName(month, .id))"))
                        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                            "nadi-sent-\(UUID().uuidString.prefix(8)).pdf")
                        defer { try? FileManager.default.removeItem(at: file) }
                        try #require(Self.pdf(in: document.body)).write(to: file)
                        let text = try await MonthlyReportTests.pdfText(file.path)
                        #expect(text.contains("Kota Palembang"), "the document is the report: \(text.prefix(300))")

                        let whatsapp = try await meta.waitFor(2, timeout: .seconds(60))
                        #expect(whatsapp.map(\.path) == ["/106540352242922/media", "/106540352242922/messages"])
                        #expect(whatsapp.allSatisfy { $0.headers[.authorization] == "Bearer EAAG-doc-token" })
                        #expect(String(decoding: whatsapp[0].body, as: UTF8.self).contains("name=\"messaging_product\"\r\n\r\nwhatsapp"))
                        let message = whatsapp[1].json
                        #expect(message["type"] as? String == "document" && message["to"] as? String == "+6281100000001")
                        let sentDocument = message["document"] as? [String: Any]
                        #expect(sentDocument?["id"] as? String == "MEDIA-4490709327")
                        #expect(sentDocument?["filename"] as? String == "laporan-bulanan-16.71-\(month).pdf")
                    }
                    let second = try AlertCrashTests.application(url: url, instance: "two")
                    let third = try AlertCrashTests.application(url: url, instance: "three")
                    try await second.test(.live) { _ in
                        try await third.test(.live) { _ in
                            try await staysTrue("sent once across a restart and two nadid", for: .seconds(4)) {
                                (telegram.requests.count, meta.requests.count)
                            } holds: {
                                $0 == (1, 2)
                            }
                        }
                    }
                    let (_, listed) = try await NadiCLI.run(["notify", "schedule", "list"], on: url)
                    #expect(listed.contains("\(month) delivered"), "\(listed)")
                    let dispatches = try await TestClient.scalar(client, "SELECT count(*)::int8 FROM report_dispatch", as: Int.self)
                    #expect(dispatches == 2)
                }
            }
        }
    }

    @Test("the day and time rule: last month's report is due from its day and time on, and only for schedules made before that")
    func rule() throws {
        let zone = MonthlyReportTests.zone
        let rule = try ReportScheduleRule.parse(day: 1, at: "07:00").get()
        let sendTime = rule.sendTime(for: try #require(ReportMonth("2026-11")), in: zone)
        #expect(Timestamp.format(sendTime) == Timestamp.format(try #require(Timestamp.parse("2026-12-01T07:00:00+07:00"))))
        let created = try #require(Timestamp.parse("2026-10-15T00:00:00+07:00"))
        #expect(rule.dueMonth(now: sendTime.addingTimeInterval(-60), created: created, zone: zone) == nil)
        #expect(rule.dueMonth(now: sendTime.addingTimeInterval(60), created: created, zone: zone) == ReportMonth("2026-11"))
        #expect(rule.dueMonth(now: sendTime.addingTimeInterval(60), created: sendTime.addingTimeInterval(30), zone: zone) == nil)
        let january = try #require(Timestamp.parse("2027-01-01T08:00:00+07:00"))
        #expect(rule.dueMonth(now: january, created: created, zone: zone) == ReportMonth("2026-12"))
        let next = rule.nextSend(after: created, in: zone)
        #expect(
            next.month == ReportMonth("2026-10") && Timestamp.format(next.at) == Timestamp.format(rule.sendTime(for: next.month, in: zone)))
        let later = rule.nextSend(after: sendTime.addingTimeInterval(60), in: zone)
        #expect(later.month == ReportMonth("2026-12"), "after this month's send time, the next is next month's")
        guard case .failure = ReportScheduleRule.parse(day: 1, at: "7am") else { Issue.record("7am accepted"); return }
    }
}
