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
                newestPing: newest))
        #expect(
            !html.contains("http://") && !html.contains("https://") && !html.contains("<link") && !html.contains("src="),
            "no network needed to open it")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("Kota &lt;Palembang&gt;"))
        #expect(html.contains("2026-11-22") && html.contains("2026-11-22 10:15 UTC"))
        #expect(html.contains("behind · 80.0%"))
        #expect(html.contains("next milestone 2027: 800"))
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
        let html = HTMLReport.render(.init(title: "t", coverage: report, schools: [], newestPing: nil, incidents: [incident]))
        #expect(html.contains("Open incidents <small>1</small>"))
        #expect(html.contains("PLG-FO-2 <small>Backbone &lt;Ilir&gt;</small>"))
        #expect(html.contains("2026-11-22 10:10") && html.contains(">own<") && html.contains(">38<"))
        let quiet = HTMLReport.render(.init(title: "t", coverage: report, schools: [], newestPing: nil))
        #expect(quiet.contains("Open incidents <small>none</small>"))
    }
}
