import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiReports
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// `nadi report monthly` through the built binary, on a city with last month's history: the PDF is
/// read back by a PDF reader (poppler's `pdftotext`) and must carry what the other commands print.
@Suite("Monthly report", .serialized, .timeLimit(.minutes(3)))
struct MonthlyReportTests {
    static let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt

    /// Last month's day `day` at `hour`:00 WIB.
    static func lastMonth(_ day: Int, _ hour: Int) -> Date {
        let month = ReportMonth(Date(), in: zone).previous
        return CalendarDay(year: month.year, month: month.month, day: day).start(in: zone).addingTimeInterval(Double(hour) * 3600)
    }

    /// Two schools (one with a camera), a fiber link and two cameras; last month: everything up from
    /// the 5th, MR-CAM-2 down from the 20th 08:00 to the 21st 08:00, covered by a window created now;
    /// silent after the 28th (a daily heartbeat), and the school's camera up again today.
    static func seed(_ http: some TestClientProtocol, _ app: NadiTestApp) async throws {
        let sites = """
            [{"code":"10603845","kind":"school","name":"SMA NEGERI 1 PALEMBANG","region":"16.71.01","lat":-2.98,"lon":104.75,"attributes":{"level":"SMA"}},
             {"code":"10603846","kind":"school","name":"SMP NEGERI 9 PALEMBANG","region":"16.71.02","lat":-2.99,"lon":104.76,"attributes":{"level":"SMP"}}]
            """
        #expect(try await http.post("/v1/sites", token: app.admin, json: sites).status == .ok)
        let devices = """
            [{"id":"MR-FO-1","kind":"fiber_link","region":"16.71.01","name":"Backbone Ilir Barat","installed":"2024-01-01","interval_s":86400,"attributes":{"length_km":3,"a_end":"POP A","z_end":"POP B"}},
             {"id":"MR-CAM-1","kind":"cctv","region":"16.71.01","site":"10603845","name":"Gerbang SMAN 1","installed":"2024-01-01","interval_s":86400,"attributes":{"public":false,"stream_url":"rtsp://10.0.0.1/1"}},
             {"id":"MR-CAM-2","kind":"cctv","region":"16.71.02","name":"Simpang Lima","installed":"2024-01-01","interval_s":86400,"attributes":{"public":false,"stream_url":"rtsp://10.0.0.1/2"}}]
            """
        #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices)).accepted == 3)
        var pings: [String] = []
        for day in 5...28 {
            for device in ["MR-FO-1", "MR-CAM-1", "MR-CAM-2"] {
                let status = device == "MR-CAM-2" && day == 20 ? "down" : "up"
                pings.append(Fixtures.ping(device, lastMonth(day, 8), status))
            }
        }
        // Today the school's camera works (the school section is the state when the report is made).
        pings.append(Fixtures.ping("MR-CAM-1", Date().addingTimeInterval(-60)))
        #expect(
            try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[" + pings.joined(separator: ",") + "]")).accepted
                == pings.count)
        let window =
            #"{"device":"MR-CAM-2","from":"\#(Timestamp.format(lastMonth(20, 8)))","to":"\#(Timestamp.format(lastMonth(21, 8)))","reason":"Ganti kabel yang digigit tikus"}"#
        #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)
    }

    @Test(
        "a city's monthly report as PDF: pdftotext finds the region, the month, the coverage figures nadi coverage prints, the worst device and the retroactive window"
    )
    func pdfCarriesTheFigures() async throws {
        try await NadiTestApp.run { app, http, _ in
            try await Self.seed(http, app)
            let month = ReportMonth(Date(), in: Self.zone).previous
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-monthly-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let pdf = directory.appendingPathComponent("laporan.pdf").path
            let (status, output) = try await NadiCLI.run(
                ["report", "monthly", "--region", "16.71", "--month", month.description, "--format", "pdf", "--output", pdf], on: app.url)
            #expect(status == 0, "\(output)")
            #expect(output.contains("written to \(pdf)"), "\(output)")
            let text = try await Self.pdfText(pdf)

            // What `nadi coverage` prints for the last day of that month.
            let (coverageStatus, coverageJSON) = try await NadiCLI.run(
                ["coverage", "--region", "16.71", "--as-of", month.lastDay.description, "--format", "json"], on: app.url)
            #expect(coverageStatus == 0)
            let rows = try JSONSerialization.jsonObject(with: Data(coverageJSON.utf8)) as? [String: Any]
            let cctv = (rows?["rows"] as? [[String: Any]])?.first {
                $0["region"] as? String == "16.71" && $0["kind"] as? String == "cctv" && $0["metric"] as? String == "units"
            }
            let installed = try #require(cctv?["installed"] as? Int)
            let operational = try #require(cctv?["operational"] as? Int)
            #expect(installed == 2)

            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains("Kota Palembang") && flat.contains("16.71"), "\(flat.prefix(400))")
            #expect(flat.contains(MonthlyReportRenderer.monthName(month, .id)), "\(flat.prefix(400))")
            #expect(flat.contains("\(installed) Terpasang · \(operational) Beroperasi"), "\(flat.prefix(1500))")
            #expect(flat.contains("MR-CAM-2 Simpang Lima"), "the worst device")
            #expect(flat.contains("Ganti kabel yang digigit tikus") && flat.contains("token:admin"), "the retroactive window, by whom")
            #expect(flat.contains("1 dari 2 sekolah memiliki kamera yang berfungsi"), "\(flat)")
            #expect(flat.contains("SMP NEGERI 9 PALEMBANG"), "a school without a working camera is named")
        }
    }

    @Test("HTML in English and CSV carry the same figures; an unknown region and a month not begun are refused with the reason")
    func htmlCSVAndRefusals() async throws {
        try await NadiTestApp.run { app, http, _ in
            try await Self.seed(http, app)
            let month = ReportMonth(Date(), in: Self.zone).previous
            let (status, html) = try await NadiCLI.run(
                ["report", "monthly", "--region", "16.71", "--month", month.description, "--lang", "en"], on: app.url)
            #expect(status == 0)
            #expect(
                html.contains("Monthly smart-city report — Kota Palembang") && html.contains(MonthlyReportRenderer.monthName(month, .en)))
            #expect(html.contains("@page{size:A4"), "prints on A4")
            let (csvStatus, csv) = try await NadiCLI.run(
                ["report", "monthly", "--region", "16.71", "--month", month.description, "--format", "csv"], on: app.url)
            #expect(csvStatus == 0)
            let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.first == "month,section,region,region_name,kind,subject,measure,value")
            #expect(lines.contains("\(month),coverage,16.71,Kota Palembang,cctv,units,installed,2"), "\(lines.prefix(20))")
            #expect(lines.contains { $0.hasPrefix("\(month),worst_device,16.71.02,,cctv,MR-CAM-2,incidents,") })
            #expect(
                lines.contains("\(month),retroactive_window,16.71,Kota Palembang,,#1 MR-CAM-2,created_by,token:admin"), "\(lines.suffix(5))"
            )

            let (unknown, said) = try await NadiCLI.run(["report", "monthly", "--region", "16.99"], on: app.url)
            #expect(unknown != 0 && said.contains("unknown region 16.99"), "\(said)")
            let next = ReportMonth(Date(), in: Self.zone).previous.previous  // a month before: fine
            #expect(
                try await NadiCLI.run(
                    ["report", "monthly", "--region", "16.71", "--month", next.description, "--format", "csv"], on: app.url
                ).status == 0)
            let future = ReportMonth(year: ReportMonth(Date(), in: Self.zone).year + 1, month: 1)
            let (late, lateSaid) = try await NadiCLI.run(
                ["report", "monthly", "--region", "16.71", "--month", future.description], on: app.url)
            #expect(late != 0 && lateSaid.contains("has not begun"), "\(lateSaid)")
        }
    }

    @Test(
        "the console offers the report: the coverage page links it, a planner downloads the PDF of their kota; another region is not theirs"
    )
    func consoleDownload() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Self.seed(http, app)
            try await ConsoleFixtures.seedUsers(db)
            let month = ReportMonth(Date(), in: Self.zone).previous
            var browser = ConsoleSessionClient()
            #expect(try await browser.login(http, name: "viewer-plg", password: ConsoleFixtures.password).status == .seeOther)
            let coverage = String(buffer: try await browser.get(http, "/coverage").body)
            let link = "/laporan/bulanan?region=16.71&amp;month=\(month)&amp;lang=id&amp;format=pdf"
            #expect(coverage.contains("Laporan bulanan") && coverage.contains(link), "\(coverage.suffix(800))")
            let pdf = try await browser.get(http, "/laporan/bulanan?region=16.71&month=\(month)&format=pdf")
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.headers[.contentDisposition] == "attachment; filename=\"laporan-bulanan-16.71-\(month).pdf\"")
            let bytes = Data(pdf.body.readableBytesView)
            #expect(bytes.starts(with: Array("%PDF".utf8)))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "nadi-console-report-\(UUID().uuidString.prefix(8)).pdf")
            defer { try? FileManager.default.removeItem(at: file) }
            try bytes.write(to: file)
            let text = try await Self.pdfText(file.path).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(
                text.contains("Laporan bulanan smart city — Kota Palembang") && text.contains(MonthlyReportRenderer.monthName(month, .id)))
            let html = try await browser.get(http, "/laporan/bulanan?region=16.71.02&month=\(month)&format=html")
            #expect(html.status == .ok && String(buffer: html.body).contains("Seberang Ulu Satu"))
            #expect(try await browser.get(http, "/laporan/bulanan?region=16.01&month=\(month)&format=pdf").status == .notFound)
        }
    }

    /// The text of a PDF, as poppler's reader lays it out.
    static func pdfText(_ path: String) async throws -> String {
        let result = try await ProcessRunner.run("/usr/bin/pdftotext", ["-layout", path, "-"])
        try #require(result.status == 0, "pdftotext: \(result.output)")
        return result.output
    }
}
