import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The audit trail (DESIGN "Trust in the numbers"): every kind of change leaves exactly one row with
/// the right actor, before and after; a failed change leaves none; the table refuses UPDATE; a row
/// altered behind the triggers is found by `nadi audit verify`; readers see their region only.
@Suite("Audit trail", .serialized)
struct AuditTrailTests {
    static func rows(_ client: DatabaseClient, after id: Int64 = 0) async throws -> [AuditEvent] {
        var filter = AuditFilter()
        filter.limit = 10_000
        return try await AuditStore(client: client, logger: TestCluster.quietLogger).events(filter).filter { $0.id > id }.reversed()
    }

    static func newest(_ client: DatabaseClient) async throws -> Int64 {
        try await client.query("SELECT coalesce(max(id), 0)::int8 FROM audit_event").collect().first?.decode(Int64.self) ?? 0
    }

    @Test(
        "API, console and store changes each leave one row with actor, address, request id, before and after (only what changed, no secret); a refused change leaves none; UPDATE is refused; a region-limited reader sees its region only"
    )
    func everyChange() async throws {
        try await NadiTestApp.run { app, http, client in
            var mark = try await Self.newest(client)
            // Devices through the API: one row each, one request id, the answer's X-Request-Id.
            let devices = """
                [{"id":"AUD-CAM-1","kind":"cctv","region":"16.71.01","name":"Kamera Audit","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.0.1/a"}},
                 {"id":"AUD-CAM-2","kind":"cctv","region":"16.01.07","name":"Kamera OKU","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.0.2/a"}}]
                """
            let created = try await http.post("/v1/inventory", token: app.admin, json: devices)
            #expect(created.status == .ok)
            var rows = try await Self.rows(client, after: mark)
            #expect(rows.map { "\($0.action) \($0.objectType):\($0.objectID)" } == ["create device:AUD-CAM-1", "create device:AUD-CAM-2"])
            #expect(rows.allSatisfy { $0.actor == "token:admin" && $0.before == nil })
            #expect(Set(rows.map(\.requestID)).count == 1 && rows.first?.requestID == created.headers[HTTPField.Name("X-Request-Id")!])
            #expect(rows.first?.after?["name"] == .string("Kamera Audit") && rows.first?.region == "16.71.01")
            #expect(rows.first?.address == "127.0.0.1", "\(rows.first?.address ?? "nil")")
            mark = try await Self.newest(client)

            // An update: only the fields that changed.
            let moved = devices.replacingOccurrences(of: "Kamera Audit", with: "Kamera Gerbang")
            #expect(try await http.post("/v1/inventory", token: app.admin, json: moved).status == .ok)
            rows = try await Self.rows(client, after: mark)
            #expect(rows.count == 1)
            #expect(rows.first?.action == "update" && rows.first?.before == .object(["name": .string("Kamera Audit")]))
            #expect(rows.first?.after == .object(["name": .string("Kamera Gerbang")]))
            mark = try await Self.newest(client)

            // Fields set, then cleared: a cleared field shows as null after, not as missing.
            let placed = moved.replacingOccurrences(
                of: #""name":"Kamera Gerbang","#, with: #""name":"Kamera Gerbang","lat":-2.97,"lon":104.75,"#)
            #expect(try await http.post("/v1/inventory", token: app.admin, json: placed).status == .ok)
            #expect(try await http.post("/v1/inventory", token: app.admin, json: moved).status == .ok)
            rows = try await Self.rows(client, after: mark)
            #expect(rows.map(\.action) == ["update", "update"])
            #expect(rows.first?.before == .object(["lat": .null, "lon": .null]))
            #expect(rows.first?.after == .object(["lat": .number(-2.97), "lon": .number(104.75)]))
            #expect(rows.last?.before == .object(["lat": .number(-2.97), "lon": .number(104.75)]))
            #expect(rows.last?.after == .object(["lat": .null, "lon": .null]))
            mark = try await Self.newest(client)

            // A refused change leaves no row.
            let refused =
                #"[{"id":"AUD-CAM-3","kind":"cctv","region":"99.99","name":"x","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.0.3/a"}}]"#
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: refused)).rejected.count == 1)
            #expect(try await Self.rows(client, after: mark).isEmpty)

            // A maintenance window through the API, with its reason.
            let from = Timestamp.format(Date().addingTimeInterval(3600))
            let to = Timestamp.format(Date().addingTimeInterval(7200))
            let window = try await http.post(
                "/v1/maintenance", token: app.admin, json: #"{"device":"AUD-CAM-1","from":"\#(from)","to":"\#(to)","reason":"ganti lensa"}"#
            )
            #expect(window.status == .ok || window.status == .created, "\(String(buffer: window.body))")
            rows = try await Self.rows(client, after: mark)
            #expect(rows.map { "\($0.action) \($0.objectType) \($0.actor)" } == ["create maintenance token:admin"])
            #expect(rows.first?.after?["reason"] == .string("ganti lensa"))
            mark = try await Self.newest(client)

            // Stores under an actor: a console user's password (a secret: only that it changed), a
            // channel (its secret never), a token (its hash never), a target.
            try await AuditActor.$current.withValue(AuditActor(actor: "console:admin", address: "10.1.1.1")) {
                let users = ConsoleUserStore(client: client, logger: TestCluster.quietLogger, cost: 4)
                _ = try await users.create(name: "aud-ops", region: RegionCode("16.71"), role: .operator, password: "rahasia-sekali-1")
                _ = try await users.setPassword(name: "aud-ops", password: "rahasia-sekali-2")
                _ = try await ChannelStore(client: client, logger: TestCluster.quietLogger).add(
                    NotifyChannelRequest(
                        name: "aud-hook", region: RegionCode("16.71"), kinds: nil, minDownSeconds: 60,
                        target: .webhook(url: try #require(URL(string: "https://hooks.example/x"))), secret: "hook-secret-canary"))
                _ = try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                    name: "aud-token", region: RegionCode("16.71"), scopes: [.read])
                _ = try await TargetStore(client: client, logger: TestCluster.quietLogger).upsert([
                    TargetRecord(region: RegionCode(16, 71), kind: .cctv, metric: .units, year: 2027, value: 500, source: "RPJMD")
                ])
            }
            rows = try await Self.rows(client, after: mark)
            #expect(
                rows.map { "\($0.action) \($0.objectType):\($0.objectID)" } == [
                    "create user:aud-ops", "update user:aud-ops", "create channel:aud-hook", "create token:aud-token",
                    "create target:16.71:cctv:units:2027",
                ])
            #expect(rows.allSatisfy { $0.actor == "console:admin" && $0.address == "10.1.1.1" })
            #expect(
                rows[1].before == .object(["password_hash": .string("(secret)")])
                    && rows[1].after == .object(["password_hash": .string("(changed)")]))
            let text = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
            #expect(!text.contains("hook-secret-canary") && !text.contains("$2"), "no secret, no bcrypt hash in the trail")
            #expect(rows[3].after?["hash"] == nil)

            // The table refuses UPDATE and DELETE.
            for statement: PostgresQuery in ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"] {
                await #expect(throws: (any Error).self) { _ = try await client.query(statement).collect() }
            }

            // A token with the audit scope for 16.01 sees 16.01 rows and no 16.71 row; 16.71 is refused.
            let (_, reader) = try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "aud-reader-oku", region: RegionCode("16.01"), scopes: [.audit])
            let page = try await http.get("/v1/audit?limit=1000", token: reader)
            #expect(page.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(String(buffer: page.body).utf8)) as? [String: Any]
            let events = body?["events"] as? [[String: Any]] ?? []
            #expect(!events.isEmpty && events.allSatisfy { ($0["region"] as? String)?.hasPrefix("16.01") == true }, "\(events.prefix(3))")
            #expect(events.contains { $0["object_id"] as? String == "AUD-CAM-2" })
            #expect(try await http.get("/v1/audit?region=16.71", token: reader).status == .forbidden)
            #expect(try await http.get("/v1/audit", token: app.palembang).status == .forbidden, "read scope is not enough")
            let device = try await http.get("/v1/audit?object=device:AUD-CAM-1", token: app.admin)
            let deviceEvents =
                (try JSONSerialization.jsonObject(with: Data(String(buffer: device.body).utf8)) as? [String: Any])?["events"]
                as? [[String: Any]]
            #expect(deviceEvents?.count == 4 && deviceEvents?.first?["action"] as? String == "update", "create, rename, place, clear")

            // The console: an operator sees the device's history; the region-wide page is for admins.
            try await ConsoleFixtures.seedUsers(client)
            var browser = ConsoleSessionClient()
            _ = try await browser.login(http, name: "ops-plg", password: ConsoleFixtures.password)
            let devicePage = String(buffer: try await browser.get(http, "/devices/AUD-CAM-1").body)
            #expect(devicePage.contains("id=\"device-history\"") && devicePage.contains("Kamera Audit → Kamera Gerbang"))
            #expect(try await browser.get(http, "/riwayat").status == .notFound, "region-wide history is for admins")
            var admin = ConsoleSessionClient()
            _ = try await admin.login(http, name: "admin", password: ConsoleFixtures.password)
            let history = String(buffer: try await admin.get(http, "/riwayat?object=device:AUD-CAM-1").body)
            #expect(history.contains("Riwayat perubahan") && history.contains("token:admin") && history.contains("diubah"))
        }
    }

    @Test(
        "a row altered by a superuser with the triggers disabled is named by `nadi audit verify` (exit 1); the intact chain passes (exit 0)"
    )
    func tamperIsFound() async throws {
        try await NadiTestApp.run { app, http, client in
            let devices =
                #"[{"id":"AUD-T-1","kind":"cctv","region":"16.71.01","name":"Asli","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.1.1/a"}}]"#
            #expect(try await http.post("/v1/inventory", token: app.admin, json: devices).status == .ok)
            let intact = try await NadiCLI.run(["audit", "verify"], on: app.url)
            #expect(intact.status == 0 && intact.output.contains("audit trail intact"), "\(intact.output)")
            let id = try #require(
                try await client.query("SELECT id FROM audit_event WHERE object_id = 'AUD-T-1'").collect().first?.decode(Int64.self))
            let partition = try #require(
                try await client.query("SELECT tableoid::regclass::text FROM audit_event WHERE id = \(id)").collect().first?.decode(
                    String.self))
            try await client.withConnection { connection in
                // Only a superuser gets past the trail's guard, by not firing it (replica mode).
                _ = try await connection.query("SET session_replication_role = replica", logger: TestCluster.quietLogger)
                _ = try await connection.query("ALTER TABLE \(unescaped: partition) DISABLE TRIGGER USER", logger: TestCluster.quietLogger)
                _ = try await connection.query(
                    "UPDATE audit_event SET after = jsonb_set(after, '{name}', '\"Palsu\"') WHERE id = \(id)",
                    logger: TestCluster.quietLogger)
                _ = try await connection.query(
                    "ALTER TABLE \(unescaped: partition) ENABLE ALWAYS TRIGGER audit_event_append_only", logger: TestCluster.quietLogger)
                _ = try await connection.query("RESET session_replication_role", logger: TestCluster.quietLogger)
            }
            let broken = try await NadiCLI.run(["audit", "verify"], on: app.url)
            #expect(broken.status == 1 && broken.output.contains("BROKEN at row \(id)"), "\(broken.output)")
            // The CLI's own changes are recorded as cli:<os user>.
            let listed = try await NadiCLI.run(["audit", "--object", "device:AUD-T-1", "--format", "json"], on: app.url)
            #expect(listed.output.contains("\"Palsu\""), "the listing shows what is stored; verify says it was altered")
            _ = try await NadiCLI.run(["token", "create", "--name", "aud-cli", "--scope", "read"], on: app.url)
            let token = try await AuditStore(client: client, logger: TestCluster.quietLogger).events(
                {
                    var filter = AuditFilter()
                    filter.objectType = "token"
                    filter.objectID = "aud-cli"
                    return filter
                }())
            #expect(token.count == 1 && token.first?.actor.hasPrefix("cli:") == true, "\(token.map(\.actor))")
        }
    }

    @Test(
        "no role, the tables' owner included, drops, detaches, truncates or disables the trail, turns off an audited table's triggers or replaces the trail's functions; the trail stays intact"
    )
    func guardRefusesOwner() async throws {
        try await NadiTestApp.run { app, http, client in
            let devices =
                #"[{"id":"AUD-G-1","kind":"cctv","region":"16.71.01","name":"Asli","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.2.1/a"}}]"#
            #expect(try await http.post("/v1/inventory", token: app.admin, json: devices).status == .ok)
            let partition = try #require(
                try await client.query("SELECT tableoid::regclass::text FROM audit_event ORDER BY id DESC LIMIT 1").collect().first?.decode(
                    String.self))
            let rows = try #require(try await client.query("SELECT count(*)::int8 FROM audit_event").collect().first?.decode(Int64.self))
            // The harness connects as a superuser: the guard refuses even it (outside replica mode).
            let attempts: [(PostgresQuery, String)] = [
                ("DROP TABLE audit_event", "the audit trail cannot be dropped"),
                ("DROP TABLE \(unescaped: partition)", "the audit trail cannot be dropped"),
                ("ALTER TABLE audit_event DETACH PARTITION \(unescaped: partition)", "the audit trail cannot be changed"),
                ("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate", "the audit trail cannot be changed"),
                ("ALTER TABLE \(unescaped: partition) DISABLE TRIGGER USER", "the audit trail cannot be changed"),
                ("CREATE RULE skip AS ON INSERT TO audit_event DO INSTEAD NOTHING", "the audit trail cannot be changed"),
                ("ALTER TABLE audit_event OWNER TO CURRENT_USER", "the audit trail cannot be changed"),
                ("ALTER TABLE device DISABLE TRIGGER audit_update", "the audit triggers of public.device stay on"),
                ("DROP TRIGGER audit_insert ON device", "the audit trigger audit_insert on public.device cannot be dropped"),
                (
                    "CREATE OR REPLACE FUNCTION nadi_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
                    "function public.nadi_audit_refuse() cannot be replaced"
                ),
                ("DROP FUNCTION nadi_audit_changes() CASCADE", "cannot be dropped"),
            ]
            for (statement, refusal) in attempts {
                do {
                    _ = try await client.query(statement).collect()
                    Issue.record("\(statement.sql) was not refused")
                } catch {
                    let message = PostgresErrorText.describe(error)
                    #expect(message.contains(refusal), "\(statement.sql): \(message)")
                }
            }
            #expect(try await client.query("SELECT count(*)::int8 FROM audit_event").collect().first?.decode(Int64.self) == rows)
            // Changes are still recorded, and the chain is intact.
            let renamed =
                #"[{"id":"AUD-G-1","kind":"cctv","region":"16.71.01","name":"Baru","installed":"2024-01-01","attributes":{"stream_url":"rtsp://10.9.2.1/a"}}]"#
            #expect(try await http.post("/v1/inventory", token: app.admin, json: renamed).status == .ok)
            let update = try await AuditStore(client: client, logger: TestCluster.quietLogger).events(
                {
                    var filter = AuditFilter()
                    filter.objectType = "device"
                    filter.objectID = "AUD-G-1"
                    return filter
                }())
            #expect(update.first?.after == .object(["name": .string("Baru")]), "\(update.map(\.after))")
            let verified = try await NadiCLI.run(["audit", "verify"], on: app.url)
            #expect(verified.status == 0 && verified.output.contains("audit trail intact"), "\(verified.output)")
        }
    }
}
