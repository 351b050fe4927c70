import Foundation
import NadiCore
import NadiReports
import Testing

@Suite("HTML coverage report")
struct HTMLReportTests {
    @Test("the page is self-contained, escapes names, and states the as-of date and the newest ping")
    func selfContained() throws {
        let row = CoverageRow(
            region: "16.71", name: "Kota <Palembang>", level: "regency", kind: .cctv, metric: .units, target: 600, installed: 512,
            operational: 480, achieved: 480, nextMilestone: Milestone(year: 2027, value: 800))
        let school = SchoolCCTV(
            npsn: "10603845", name: "SMP \"1\" <script>alert(1)</script>", level: "SMP", region: "16.71.05", regionName: "Ilir Timur Satu",
            lat: -2.97, lon: 104.76, cctvInstalled: 1, cctvOperational: 0, cctvPublic: 0, uptime30dPct: 10, covered: false, lastSeen: nil,
            publicStreams: [])
        let newest = try #require(Timestamp.parse("2026-11-22T10:15:00Z"))
        let html = HTMLReport.render(
            .init(
                title: "Smart city coverage — Kota Palembang",
                coverage: CoverageReport(asOf: CalendarDay(year: 2026, month: 11, day: 22), year: 2026, rows: [row]), schools: [school],
                newestPing: newest, language: .en))
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<link") && !html.contains("src="),
            "no network needed to open it")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("Kota &lt;Palembang&gt;"))
        #expect(html.contains("2026-11-22") && html.contains("2026-11-22 17:15 WIB"))
        #expect(html.contains("behind · 80.0%"))
        #expect(html.contains("Next milestone 2027: 800"))
        #expect(html.contains("0 of 1"), "the school panel counts covered schools")
        #expect(html.contains("@media print") && html.contains("size:A4"))
        #expect(html.contains("name=\"viewport\""))
    }

    @Test("open incidents are listed with root, cause and dependents down, escaped; none says so")
    func incidents() {
        let report = CoverageReport(asOf: CalendarDay(year: 2026, month: 11, day: 22), year: 2026, rows: [])
        let incident = Incident(
            root: "PLG-FO-2", name: "Backbone <Ilir>", kind: "fiber_link", region: "16.71.02",
            since: Timestamp.parse("2026-11-22T10:10:00Z"), cause: .own, dependentsDown: 38)
        let html = HTMLReport.render(
            .init(title: "t", coverage: report, schools: [], newestPing: nil, incidents: [incident], language: .en))
        #expect(html.contains("Open incidents <small>1</small>"))
        #expect(html.contains("PLG-FO-2 <small>Backbone &lt;Ilir&gt;</small>"))
        #expect(html.contains("2026-11-22 17:10 WIB") && html.contains(">own failure<") && html.contains(">38<"))
        let quiet = HTMLReport.render(.init(title: "t", coverage: report, schools: [], newestPing: nil, language: .en))
        #expect(quiet.contains("Open incidents <small>none</small>"))
    }

    @Test("Bahasa Indonesia by default, from the console's catalog, with times in the deployment's zone (WITA here)")
    func indonesian() {
        let report = CoverageReport(asOf: CalendarDay(year: 2026, month: 11, day: 22), year: 2026, rows: [])
        let incident = Incident(
            root: "MKS-FO-1", name: "Backbone", kind: "fiber_link", region: "73.71.01",
            since: Timestamp.parse("2026-11-22T10:10:00Z"), cause: .own, dependentsDown: 3)
        let html = HTMLReport.render(
            .init(
                title: "t", coverage: report, schools: [], newestPing: nil, incidents: [incident],
                timeZone: TimeZone(identifier: "Asia/Makassar") ?? .gmt))
        #expect(html.contains("<html lang=\"id\">"))
        #expect(html.contains("Gangguan terbuka <small>1</small>"))
        #expect(html.contains("2026-11-22 18:10 WITA"))
        #expect(html.contains(">perangkat sendiri<"))
        #expect(html.contains("Cakupan per"))
    }
}
