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

/// The smaller defects of issue 12, each through the built `nadi` binary or a real socket.
@Suite("Small defects")
struct SmallDefectTests {
    static func nadi(_ arguments: [String], url: DatabaseURL) async throws -> (status: Int32?, output: String) {
        let result = try await NadiCLI.run(arguments, url: NadiCLI.databaseText(url))
        return (result.status, result.output)
    }

    @Test("uptime --since with an absurd span is a usage error, not a crash")
    func absurdSince() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let result = try await Self.nadi(["uptime", "--since", "2000000000d"], url: url)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("up to 100 years"), "\(result.output)")
    }

    @Test("token revoke N revokes the token with id N only; all-digit names are refused")
    func tokenRevokeByID() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let numeric = try await Self.nadi(["token", "create", "--name", "9"], url: url)
        #expect(numeric.status == 64, "\(numeric.output)")
        let id = try await TestClient.with(url) { client async throws in
            // A token named "2" left from before the rule, and tokens with ids 1 and 2.
            let tokens = TokenStore(client: client, logger: TestCluster.quietLogger)
            let first = try await tokens.create(name: "first", region: nil, scopes: [.read]).0.id
            _ = try await tokens.create(name: "second", region: nil, scopes: [.read])
            _ = try await client.query("UPDATE api_token SET name = \(String(first + 1)) WHERE id = \(first)")
            return first
        }
        let revoked = try await Self.nadi(["token", "revoke", String(id + 1)], url: url)
        #expect(revoked.status == 0, "\(revoked.output)")
        try await TestClient.with(url) { client async throws in
            let active = try await TestClient.scalar(
                client, "SELECT string_agg(id::text, ',' ORDER BY id) FROM api_token WHERE revoked_at IS NULL", as: String.self)
            #expect(active == String(id), "only the token with that id was revoked")
        }
    }

    @Test("control characters in names and reasons reach the terminal escaped; CSV cells that a spreadsheet would run are neutralised")
    func terminalAndCSV() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            _ = try await client.query(
                """
                INSERT INTO site (code, kind, name, region) VALUES ('16710001', 'school', '=HYPERLINK("http://evil")', '16.71.01')
                """)
            _ = try await client.query(
                """
                INSERT INTO device (id, external_id, kind, region, site, name, installed_on, attributes) VALUES
                  (1, 'CAM-1', 'cctv', '16.71.01', '16710001', E'Kamera \\x1b[2J\\x1b[31mMERAH', '2024-01-01',
                   '{"stream_url":"rtsp://viewer:rahasia@10.1.2.3/live","public":true}')
                """)
            _ = try await client.query("INSERT INTO device_state (device_id, status, reason, since) VALUES (1, 'up', NULL, now())")
            _ = try await client.query(
                "INSERT INTO status_interval (device_id, status, started_at) VALUES (1, 'up', now() - interval '1 hour')")
        }
        let table = try await Self.nadi(["devices", "list"], url: url)
        #expect(table.status == 0, "\(table.output)")
        #expect(!table.output.unicodeScalars.contains("\u{1b}"), "no raw escape reaches the terminal")
        #expect(table.output.contains("\\u{1b}[2J"), "\(table.output)")
        let csv = try await Self.nadi(["export", "school-cctv", "--format", "csv"], url: url)
        #expect(csv.output.contains("'=HYPERLINK"), "\(csv.output)")
        #expect(!csv.output.contains("rahasia"), "no credentials in a published stream URL: \(csv.output)")
        let json = try await Self.nadi(["export", "school-cctv", "--format", "json"], url: url)
        #expect(!json.output.contains("rahasia") && !json.output.contains("10.1.2.3"), "no credentials, no private host: \(json.output)")
    }

    @Test("coverage of an unknown region is 404 (CLI: an error); lengths and targets that would overflow a roll-up are refused")
    func coverageEdges() async throws {
        try await NadiTestApp.run { app, http, _ in
            let unknown = try await http.get("/v1/coverage?region=16.99", token: app.admin)
            #expect(unknown.status == .notFound)
            let huge = """
                [{"id":"PLG-FO-H","kind":"fiber_link","region":"16.71.01","name":"Huge","installed":"2024-01-01",
                  "attributes":{"length_km":1e308,"a_end":"A","z_end":"B"}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: huge))
            #expect(outcome.rejected.first?.error.contains("at most 50000") == true, "\(outcome)")
            let coverage = try await http.get("/v1/coverage?region=16.71", token: app.admin)
            #expect(coverage.status == .ok)
            #expect(String(buffer: coverage.body) != "{}")
        }
        let url = try await TestCluster.shared.migratedDatabase()
        let cli = try await Self.nadi(["coverage", "--region", "16.99"], url: url)
        #expect(cli.status == 1)
        #expect(cli.output.contains("no region 16.99"), "\(cli.output)")
    }

    @Test("a device moved to another region stops taking its old region's pings at once, whoever moved it")
    func cacheAfterMove() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let at = Date().addingTimeInterval(-30)
            #expect(
                try Outcome(try await http.post("/v1/pings", token: app.palembang, json: "[\(Fixtures.ping("PLG-CCTV-1", at))]")).accepted
                    == 1)
            // Moved by another process (as `nadi devices import` or a second nadid would).
            _ = try await db.query("UPDATE device SET region = '16.01.07' WHERE external_id = 'PLG-CCTV-1'")
            var attempt = 0.0
            // Within 2 s, not after the 60 s cache lifetime.
            try await eventually("the old region's token is refused", timeout: .seconds(2)) {
                attempt += 1
                return try Outcome(
                    try await http.post(
                        "/v1/pings", token: app.palembang, json: "[\(Fixtures.ping("PLG-CCTV-1", at.addingTimeInterval(attempt)))]"))
            } until: {
                $0.accepted == 0 && $0.rejected.first?.error.contains("unknown device") == true
            }
        }
    }

    @Test("an attendance serial /iclock could never match is refused; only real ATTLOG lines count")
    func attendance() async throws {
        try await NadiTestApp.run { app, http, _ in
            let body =
                #"[{"id":"PLG-ATT-X","kind":"attendance","region":"16.71.01","name":"Bad serial","installed":"2024-01-01","attributes":{"serial":"AB 12/3"}}]"#
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: body))
            #expect(outcome.rejected.first?.error.contains("as the device sends it") == true, "\(outcome)")
        }
    }
}
