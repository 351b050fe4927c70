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

@Suite("Inventory, sites, auth and limits over HTTP")
struct InventoryAndAuthTests {
    @Test("devices are validated per record and kind; a cross-region record is rejected while the rest is stored")
    func inventoryValidation() async throws {
        try await NadiTestApp.run { app, http, db in
            let body = """
                [{"id":"PLG-FO-9","kind":"fiber_link","region":"16.71.01","name":"No length","installed":"2024-01-01","attributes":{"a_end":"A","z_end":"B"}},
                 {"id":"PLG-CCTV-9","kind":"cctv","region":"16.71.01","name":"No stream","installed":"2024-01-01","attributes":{}},
                 {"id":"PLG-X-1","kind":"drone","region":"16.71.01","name":"Drone","installed":"2024-01-01"},
                 {"id":"PLG-VT-9","kind":"videotron","region":"16.71.99","name":"Nowhere","installed":"2024-01-01","attributes":{"size_m2":10}},
                 {"id":"PLG-VT-8","kind":"videotron","region":"16.71.01","name":"Far north","lat":95,"lon":104,"installed":"2024-01-01","attributes":{"size_m2":10}},
                 {"id":"PLG-VT-7","kind":"videotron","region":"16.71.01","name":"Bad date","installed":"2024-02-30","attributes":{"size_m2":10}},
                 {"id":"OKU-VT-2","kind":"videotron","region":"16.01.07","name":"Other regency","installed":"2024-01-01","attributes":{"size_m2":10}},
                 {"id":"PLG-VT-1","kind":"videotron","region":"16.71.01","name":"Good","installed":"2024-01-01","attributes":{"size_m2":24}},
                 {"id":"PLG-ATT-1","kind":"attendance","region":"16.71.02","name":"Good too","installed":"2024-01-01","attributes":{"serial":"X1"}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: body))
            #expect(outcome.accepted == 2)
            #expect(outcome.rejected.map(\.index) == [0, 1, 2, 3, 4, 5, 6])
            let reasons = outcome.rejected.map(\.error)
            #expect(reasons[0].contains("length_km"))
            #expect(reasons[1].contains("stream_url"))
            #expect(reasons[2].contains("unknown kind 'drone'; expected one of fiber_link, cctv, videotron, attendance"))
            #expect(reasons[3].contains("region 16.71.99 does not exist"))
            #expect(reasons[4].contains("lat 95"))
            #expect(reasons[5].contains("YYYY-MM-DD"))
            #expect(reasons[6].contains("outside this token's region 16.71"))
            let ids = try await TestClient.scalar(
                db, "SELECT string_agg(external_id, ',' ORDER BY external_id) FROM device", as: String.self)
            #expect(ids == "PLG-ATT-1,PLG-VT-1")
        }
    }

    @Test("sites are upserted by code; a school's code must be an NPSN; SQL in text is stored verbatim")
    func sites() async throws {
        try await NadiTestApp.run { app, http, db in
            let hostile = "SMP 1'); DROP TABLE device; --"
            let body = """
                [{"code":"10603845","kind":"school","name":"\(hostile)","region":"16.71.05","lat":-2.97,"lon":104.76,"attributes":{"level":"SMP"}},
                 {"code":"123","kind":"school","name":"Short NPSN","region":"16.71.05"},
                 {"code":"OKU-OFF-1","kind":"office","name":"Kantor Bupati","region":"16.01.07"}]
                """
            let outcome = try Outcome(try await http.post("/v1/sites", token: app.palembang, json: body))
            #expect(outcome.accepted == 1)
            #expect(outcome.rejected.map(\.index) == [1, 2])
            #expect(try await TestClient.scalar(db, "SELECT name FROM site WHERE code = '10603845'", as: String.self) == hostile)
            #expect(try await TestClient.scalar(db, "SELECT to_regclass('device') IS NOT NULL", as: Bool.self) == true)
            let again = #"[{"code":"10603845","kind":"school","name":"SMP NEGERI 1","region":"16.71.05"}]"#
            #expect(try Outcome(try await http.post("/v1/sites", token: app.palembang, json: again)).accepted == 1)
            #expect(try await TestClient.scalar(db, "SELECT name FROM site WHERE code = '10603845'", as: String.self) == "SMP NEGERI 1")
        }
    }

    @Test("no token, an unknown or revoked token get 401; a missing scope gets 403")
    func authorization() async throws {
        try await NadiTestApp.run { app, http, db in
            let ping = "[]"
            #expect(try await http.post("/v1/pings", token: nil, json: ping).status == .unauthorized)
            #expect(try await http.post("/v1/pings", token: "nadi_1_wrong", json: ping).status == .unauthorized)
            #expect(try await http.post("/v1/pings", token: "garbage", json: ping).status == .unauthorized)
            let tokens = TokenStore(client: db, logger: TestCluster.quietLogger)
            let (_, reader) = try await tokens.create(name: "reader", region: nil, scopes: [.read])
            #expect(try await http.post("/v1/pings", token: reader, json: ping).status == .forbidden)
            #expect(try await http.post("/v1/pings", token: app.palembang, json: ping).status == .ok)
            #expect(try await tokens.revoke("palembang"))
            #expect(try await http.post("/v1/pings", token: app.palembang, json: ping).status == .unauthorized)
            let stored = try await TestClient.scalar(
                db, "SELECT count(*)::int8 FROM api_token WHERE position('nadi_' in encode(hash, 'escape')) > 0", as: Int.self)
            #expect(stored == 0, "only hashes are stored")
        }
    }

    @Test("an oversized body gets 413, a wrong content type 415, malformed JSON 400 — and the daemon keeps serving")
    func limits() async throws {
        try await NadiTestApp.run(configure: { $0.maxBodyBytes = 4096 }) { app, http, _ in
            try await Fixtures.seed(http, app)
            let big = "[" + Array(repeating: Fixtures.ping("PLG-CCTV-1", Date()), count: 100).joined(separator: ",") + "]"
            #expect(try await http.post("/v1/pings", token: app.admin, json: big).status == .contentTooLarge)
            #expect(
                try await http.post("/v1/pings", token: app.admin, json: "[]", contentType: "text/plain").status == .unsupportedMediaType)
            let malformed = try await http.post("/v1/pings", token: app.admin, json: #"[{"device":"PLG-CCTV-1","status":"up"},"#)
            #expect(malformed.status == .badRequest)
            #expect(String(buffer: malformed.body).contains("malformed JSON"))
            #expect(try await http.post("/v1/pings", token: app.admin, json: #"{"device":"x"}"#).status == .badRequest)
            let fine = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(Fixtures.ping("PLG-CCTV-1", Date()))]"))
            #expect(fine.accepted == 1)
        }
    }

    @Test("healthz, readyz, metrics and a device's state answer")
    func healthAndMetrics() async throws {
        try await NadiTestApp.run { app, http, _ in
            try await Fixtures.seed(http, app)
            let now = Date()
            _ = try await http.post(
                "/v1/pings", token: app.admin, json: "[\(Fixtures.ping("PLG-CCTV-1", now, "degraded")),\(Fixtures.ping("GHOST-9", now))]")
            #expect(try await http.get("/healthz", token: nil).status == .ok)
            let ready = try await http.get("/readyz", token: nil)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains("ready"))
            let metrics = String(buffer: try await http.get("/metrics", token: nil).body)
            #expect(metrics.contains(#"nadi_pings_accepted_total{kind="cctv"} 1"#))
            #expect(metrics.contains(#"nadi_pings_rejected_total{kind="unregistered"} 1"#))
            #expect(metrics.contains(#"nadi_devices{region="16.71",kind="cctv",status="degraded"} 1"#))
            #expect(metrics.contains(#"nadi_devices{region="16.71",kind="fiber_link",status="unknown"} 1"#))
            #expect(metrics.contains(#"nadi_devices{region="16.01",kind="videotron",status="unknown"} 1"#))
            #expect(metrics.contains(#"nadi_devices_silent{region="16.71"} 0"#))
            #expect(metrics.contains("nadi_ingest_queue_depth"))
            #expect(metrics.contains("nadi_ingest_commit_seconds_bucket"))
            #expect(!metrics.contains(app.admin), "no secrets in metrics")
            let device = try await http.get("/v1/devices/PLG-CCTV-1", token: app.palembang)
            #expect(device.status == .ok)
            let view = try JSONDecoder().decode([String: JSONValue].self, from: Data(device.body.readableBytesView))
            #expect(view["status"] == .string("degraded"))
            let since = try #require(view["since"]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(since.timeIntervalSince(now)) < 0.002, "since is the degraded ping's time")
            #expect(view["last_ping"]?["status"] == .string("degraded"))
            #expect(try await http.get("/v1/devices/OKU-VT-1", token: app.palembang).status == .notFound, "outside the token's region")
            #expect(try await http.get("/v1/devices/OKU-VT-1", token: app.admin).status == .ok)
            let coverage = try await http.get("/v1/coverage?region=16.71&depth=regency&kind=cctv", token: app.palembang)
            #expect(coverage.status == .ok)
            let report = try JSONDecoder().decode(CoverageReport.self, from: Data(coverage.body.readableBytesView))
            let units = try #require(report.rows.first { $0.region == "16.71" && $0.metric == .units })
            #expect(units.installed == 1)
            #expect(units.operational == 1, "the degraded camera is operational")
            #expect(units.status == .noTarget)
            #expect(
                try await http.get("/v1/coverage?region=16.01", token: app.palembang).status == .forbidden, "outside the token's region")
        }
    }
}
