import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NadiCore
import NadiReports
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// A window that starts in the past rewrites reported figures: only admins may create one, it is
/// listed after it ends, and the reports it changes say so (DESIGN "Topology, causes and maintenance").
@Suite("Retroactive maintenance windows")
struct RetroactiveMaintenanceTests {
    struct Window: Decodable {
        var id: Int64
        var to: String
        var retroactive: Bool
        var cancelled_at: String?
    }

    static func windows(_ http: some TestClientProtocol, _ token: String, _ query: String = "") async throws -> [Window] {
        try JSONDecoder().decode(
            [Window].self, from: Data(try await http.get("/v1/maintenance\(query)", token: token).body.readableBytesView))
    }

    static func body(from: Date, to: Date, device: String = "PLG-CCTV-1") -> String {
        #"{"device":"\#(device)","from":"\#(Timestamp.format(from))","to":"\#(Timestamp.format(to))","reason":"Perbaikan tiang yang roboh"}"#
    }

    @Test(
        "an operator's backdated window is refused (403, nothing stored); an admin's is stored, marked, listed with ended=true, and cannot be cancelled"
    )
    func onlyAdminsBackdate() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let (_, operatorToken) = try await TokenStore(client: db, logger: TestCluster.quietLogger).create(
                name: "ops-plg", region: RegionCode("16.71"), scopes: [.maintenance])
            let now = Date()
            let yesterday = Self.body(from: now.addingTimeInterval(-30 * 3600), to: now.addingTimeInterval(-26 * 3600))
            let refused = try await http.post("/v1/maintenance", token: operatorToken, json: yesterday)
            #expect(refused.status == .forbidden, "\(String(buffer: refused.body))")
            #expect(String(buffer: refused.body).contains("only an admin"))
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 0)
            let ancient = try await http.post(
                "/v1/maintenance", token: app.admin,
                json: #"{"device":"PLG-CCTV-1","from":"2020-01-01 08:00","to":"2020-01-01 10:00","reason":"x"}"#)
            #expect(ancient.status == .badRequest && String(buffer: ancient.body).contains("more than a year ago"))

            let stored = try await http.post("/v1/maintenance", token: app.admin, json: yesterday)
            #expect(stored.status == .created, "\(String(buffer: stored.body))")
            let window = try JSONDecoder().decode(Window.self, from: Data(stored.body.readableBytesView))
            #expect(window.retroactive)
            #expect(try await Self.windows(http, operatorToken).isEmpty, "an ended window is not among those that have not ended")
            let past = try await Self.windows(http, operatorToken, "?ended=true")
            #expect(past.map(\.id) == [window.id] && past.first?.retroactive == true)
            let cancel = try await http.execute(
                uri: "/v1/maintenance/\(window.id)", method: .delete, headers: [.authorization: "Bearer \(app.admin)"])
            #expect(cancel.status == .notFound, "an ended window cannot be cancelled: that too would rewrite the past")

            // A window in force that is cancelled ends now: the time spent in it stays maintenance.
            let current = try await http.post(
                "/v1/maintenance", token: operatorToken,
                json: Self.body(from: now.addingTimeInterval(60), to: now.addingTimeInterval(3600), device: "PLG-FO-1"))
            #expect(current.status == .created)
            let planned = try JSONDecoder().decode(Window.self, from: Data(current.body.readableBytesView))
            #expect(!planned.retroactive)
            _ = try await db.query("UPDATE maintenance_window SET starts_at = now() - interval '10 minutes' WHERE id = \(planned.id)")
            let ended = try await http.execute(
                uri: "/v1/maintenance/\(planned.id)", method: .delete, headers: [.authorization: "Bearer \(operatorToken)"])
            #expect(ended.status == .noContent)
            let kept = try await Self.windows(http, operatorToken, "?ended=true").first { $0.id == planned.id }
            #expect(kept?.cancelled_at == nil, "kept as the window it was, ended now")
            #expect((kept.flatMap { Timestamp.parse($0.to) } ?? .distantFuture) <= Date())
        }
    }

    @Test(
        "nadi uptime and the console's uptime page name the retroactive window that changed their figures; an operator's console form cannot backdate"
    )
    func reportsSaySo() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            let now = Date()
            let stored = try await http.post(
                "/v1/maintenance", token: app.admin,
                json: Self.body(from: now.addingTimeInterval(-5 * 3600), to: now.addingTimeInterval(-4 * 3600), device: "PLG-CCTV-PUB"))
            #expect(stored.status == .created)
            let window = try JSONDecoder().decode(Window.self, from: Data(stored.body.readableBytesView))

            let table = try await SmallDefectTests.nadi(["uptime", "--region", "16.71", "--since", "1d"], url: app.url)
            #expect(table.status == 0, "\(table.output)")
            #expect(table.output.contains("1 retroactive maintenance window"), "\(table.output)")
            #expect(table.output.contains("#\(window.id) PLG-CCTV-PUB") && table.output.contains("token:admin"), "\(table.output)")
            let elsewhere = try await SmallDefectTests.nadi(["uptime", "--region", "16.01", "--since", "1d"], url: app.url)
            #expect(!elsewhere.output.contains("retroactive"), "another region's figures were not changed: \(elsewhere.output)")
            let json = try await SmallDefectTests.nadi(["uptime", "--region", "16.71", "--since", "1d", "--format", "json"], url: app.url)
            #expect(json.output.contains("retroactive maintenance window"), "said on standard error next to the JSON")

            var admin = ConsoleSessionClient()
            _ = try await admin.login(http, name: "admin", password: ConsoleFixtures.password)
            let page = String(buffer: try await admin.get(http, "/uptime?window=7d").body)
            #expect(page.contains("id=\"retroactive-windows\"") && page.contains("#\(window.id) PLG-CCTV-PUB"), "\(page.prefix(400))")

            var ops = ConsoleSessionClient()
            _ = try await ops.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            let device = String(buffer: try await ops.get(http, "/devices/PLG-CCTV-PUB").body)
            let csrf = try #require(ConsoleSessionClient.hidden("csrf", in: device))
            let local = LocalTime(zone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt)
            let answer = try await ops.post(
                http, "/maintenance",
                form: [
                    "csrf": csrf, "device": "PLG-CCTV-PUB", "from": local.minutes(now.addingTimeInterval(-48 * 3600)),
                    "to": local.minutes(now.addingTimeInterval(-47 * 3600)), "reason": "Mundur",
                ])
            #expect(answer.status == .unprocessableContent)
            #expect(String(buffer: answer.body).contains("Jadwal dimulai di masa lalu: jadwal mundur mengubah angka yang sudah dilaporkan"))
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 1)
        }
    }
}
