import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// Topology describes the past (DESIGN "When a link holds"): the upstream named when a device is
/// first registered holds from its installed day, a later change from `upstream_since`, so history
/// sent after the topology gets its causes.
@Suite("Upstream links in the past")
struct TopologyHistoryTests {
    struct Row: Decodable {
        var device: String
        var down_own_s: Double
        var down_upstream_s: Double
        var maintenance_s: Double
    }

    @Test(
        "topology registered now, yesterday's pings of a link (down an hour, a window over half of it) and three cameras behind it, the link's sent last"
    )
    func yesterdaysOutage() async throws {
        try await NadiTestApp.run { app, http, _ in
            let link =
                #"{"id":"FO-1","kind":"fiber_link","region":"16.71.01","name":"Link","installed":"2024-01-01","interval_s":300,"attributes":{"length_km":2,"a_end":"A","z_end":"B"}}"#
            let cameras = (1...3).map {
                #"{"id":"C\#($0)","kind":"videotron","region":"16.71.01","name":"C\#($0)","installed":"2024-01-01","interval_s":300,"upstream":"FO-1","attributes":{"size_m2":1}}"#
            }
            let stored = try Outcome(
                try await http.post("/v1/inventory", token: app.admin, json: "[\(([link] + cameras).joined(separator: ","))]"))
            #expect(stored.accepted == 4, "\(stored)")
            let now = Date()
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 300).rounded(.down) * 300 - 26 * 3600)
            let steps = Int(now.timeIntervalSince(start) / 300)
            func pings(_ device: String) -> String {
                (0...steps).map { step in
                    Fixtures.ping(device, start.addingTimeInterval(Double(step) * 300), (12..<24).contains(step) ? "down" : "up")
                }.joined(separator: ",")
            }
            for camera in ["C1", "C2", "C3"] {
                let outcome = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(pings(camera))]"))
                #expect(outcome.rejected.isEmpty && outcome.accepted == steps + 1, "\(outcome.rejected.prefix(2))")
            }
            // The window covers minutes 90–150 of yesterday's outage at 60–120: half of it.
            let window =
                #"{"device":"FO-1","from":"\#(Timestamp.format(start.addingTimeInterval(90 * 60)))","to":"\#(Timestamp.format(start.addingTimeInterval(150 * 60)))","reason":"Penyambungan darurat"}"#
            #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)
            let linkPings = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(pings("FO-1"))]"))
            #expect(linkPings.rejected.isEmpty)

            let cli = try await NadiCLI.run(
                ["uptime", "--since", "2d", "--format", "json"], url: NadiCLI.databaseText(app.url))
            try #require(cli.status == 0, "\(cli.output)")
            let rows = try JSONDecoder().decode([Row].self, from: Data(CauseReportTests.report(cli.output).utf8))
            let byDevice = Dictionary(uniqueKeysWithValues: rows.map { ($0.device, $0) })
            func minutes(_ row: Row?) -> [Int] {
                guard let row else { return [] }
                return [row.down_own_s, row.down_upstream_s, row.maintenance_s].map { Int(($0 / 60).rounded()) }
            }
            #expect(minutes(byDevice["FO-1"]) == [30, 0, 30], "the link: its own half hour, then the window")
            for camera in ["C1", "C2", "C3"] {
                #expect(minutes(byDevice[camera]) == [0, 30, 30], "\(camera): behind the cut link, then inside its window")
            }
        }
    }

    @Test("a later change holds from upstream_since; one before the installed day or in the future is refused with its index")
    func upstreamSince() async throws {
        try await NadiTestApp.run { app, http, db in
            func device(_ id: String, upstream: String? = nil, since: String? = nil) -> String {
                let link = upstream.map { #","upstream":"\#($0)""# } ?? ""
                let when = since.map { #","upstream_since":"\#($0)""# } ?? ""
                return
                    #"{"id":"\#(id)","kind":"fiber_link","region":"16.71.01","name":"\#(id)","installed":"2025-01-01","attributes":{"length_km":2,"a_end":"A","z_end":"B"}\#(link)\#(when)}"#
            }
            let first = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.admin, json: "[\(device("POP-1")),\(device("POP-2")),\(device("FO-9", upstream: "POP-1"))]")
            )
            #expect(first.accepted == 3)
            let since = Date().addingTimeInterval(-3 * 86_400)
            let moved = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.admin,
                    json:
                        "[\(device("FO-9", upstream: "POP-2", since: Timestamp.format(since))),\(device("X-1", upstream: "POP-1", since: "2024-06-01T00:00:00+07:00")),\(device("X-2", upstream: "POP-1", since: Timestamp.format(Date().addingTimeInterval(86_400))))]"
                ))
            #expect(moved.accepted == 1 && moved.rejected.map(\.index) == [1, 2], "\(moved)")
            #expect(moved.rejected.first?.error.contains("before the device was installed") == true)
            #expect(moved.rejected.last?.error.contains("in the future") == true)
            var links: [(String, Date, Date?)] = []
            for try await (upstream, from, to) in try await db.query(
                """
                SELECT u.external_id, l.valid_from, l.valid_to FROM device_link l JOIN device d ON d.id = l.device_id
                JOIN device u ON u.id = l.upstream_id WHERE d.external_id = 'FO-9' ORDER BY l.valid_from
                """
            ).decode((String, PostgresTimestamp, PostgresTimestamp?).self) { links.append((upstream, from.date, to?.date)) }
            let installed = CalendarDay(year: 2025, month: 1, day: 1).start(in: TimeZone(identifier: "Asia/Jakarta") ?? .gmt)
            #expect(links.map(\.0) == ["POP-1", "POP-2"])
            #expect(links.first?.1 == installed, "the first link holds from the installed day")
            #expect(
                abs((links.first?.2 ?? .distantPast).timeIntervalSince(since)) < 0.01 && abs(links[1].1.timeIntervalSince(since)) < 0.01)
        }
    }
}
