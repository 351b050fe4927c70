import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// Maintenance windows (issue 14, second part): planned, listed and cancelled over HTTP and with
/// `nadi maintenance`, within the token's region, bad input refused with a clear reason.
@Suite("Maintenance windows")
struct MaintenanceTests {
    struct Window: Decodable {
        var id: Int64
        var device: String?
        var region: String?
        var from: String
        var to: String
    }

    static func post(_ http: some TestClientProtocol, _ token: String, _ body: String) async throws -> TestResponse {
        try await http.post("/v1/maintenance", token: token, json: body)
    }

    @Test("POST, GET and DELETE through a socket; local times in the deployment zone; scope, region and input refusals")
    func http() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let tokens = TokenStore(client: db, logger: TestCluster.quietLogger)
            let (_, planner) = try await tokens.create(name: "planner-plg", region: RegionCode("16.71"), scopes: [.maintenance])
            // Without the scope: 403.
            let noScope = try await Self.post(
                http, app.palembang, #"{"device":"PLG-FO-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"splice"}"#)
            #expect(noScope.status == .forbidden)
            let created = try await Self.post(
                http, planner, #"{"device":"PLG-FO-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"Penyambungan FO"}"#)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let window = try JSONDecoder().decode(Window.self, from: Data(created.body.readableBytesView))
            #expect(window.from == "2030-12-01T15:00:00.000Z", "22:00 WIB is 15:00 UTC")
            #expect(window.to == "2030-12-01T19:00:00.000Z")
            // Refusals, each with its reason; nothing stored for them.
            let cases: [(String, String)] = [
                (#"{"device":"PLG-FO-1","from":"2030-12-02 02:00","to":"2030-12-01 22:00","reason":"x"}"#, "must be after"),
                (#"{"device":"PLG-FO-1","from":"2030-12-01","to":"2030-12-02","reason":"x"}"#, "must be a time"),
                (#"{"device":"PLG-FO-1","from":"2030-12-01 00:00","to":"2031-01-15 00:00","reason":"x"}"#, "at most 31 days"),
                (
                    #"{"device":"PLG-FO-1","from":"2030-12-02 01:00","to":"2030-12-02 03:00","reason":"again"}"#,
                    "overlaps maintenance window"
                ),
                (#"{"device":"OKU-VT-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x"}"#, "unknown device 'OKU-VT-1'"),
                (#"{"region":"16.01","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x"}"#, "outside this token's region"),
                (#"{"region":"16.71","device":"PLG-FO-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x"}"#, "one of them"),
                (#"{"region":"16.71.01","kind":"drone","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x"}"#, "kind must be"),
            ]
            for (body, reason) in cases {
                let refused = try await Self.post(http, planner, body)
                #expect(refused.status == .badRequest || refused.status == .unprocessableContent, "\(body)")
                #expect(String(buffer: refused.body).contains(reason), "\(body): \(String(buffer: refused.body))")
            }
            let region = try await Self.post(
                http, planner,
                #"{"region":"16.71.01","kind":"cctv","from":"2030-12-03T08:00:00+07:00","to":"2030-12-03T12:00:00+07:00","reason":"Ganti NVR"}"#
            )
            #expect(region.status == .created)
            let listed = try JSONDecoder().decode(
                [Window].self, from: Data(try await http.get("/v1/maintenance", token: planner).body.readableBytesView))
            #expect(listed.count == 2)
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 2)
            // Another region's token sees none of them and cannot cancel them.
            let (_, oku) = try await tokens.create(name: "planner-oku", region: RegionCode("16.01"), scopes: [.maintenance])
            let okuList = try JSONDecoder().decode(
                [Window].self, from: Data(try await http.get("/v1/maintenance", token: oku).body.readableBytesView))
            #expect(okuList.isEmpty)
            #expect(
                try await http.execute(uri: "/v1/maintenance/\(window.id)", method: .delete, headers: [.authorization: "Bearer \(oku)"])
                    .status == .notFound)
            #expect(
                try await http.execute(uri: "/v1/maintenance/\(window.id)", method: .delete, headers: [.authorization: "Bearer \(planner)"])
                    .status == .noContent)
            let after = try JSONDecoder().decode(
                [Window].self, from: Data(try await http.get("/v1/maintenance", token: planner).body.readableBytesView))
            #expect(after.map(\.id) != [window.id] && after.count == 1)
        }
    }

    @Test("nadi maintenance add, list and cancel through the built binary")
    func cli() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            _ = try await client.query(
                """
                INSERT INTO device (external_id, kind, region, name, installed_on, attributes)
                VALUES ('PLG-FO-3', 'fiber_link', '16.71.01', 'Backbone', '2024-01-01', '{"length_km":3,"a_end":"A","z_end":"B"}')
                """)
        }
        let added = try await SmallDefectTests.nadi(
            [
                "maintenance", "add", "--device", "PLG-FO-3", "--from", "2099-01-01 22:00", "--to", "2099-01-02 02:00", "--reason",
                "Penyambungan ulang",
            ],
            url: url)
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("2099-01-01 22:00 – 2099-01-02 02:00 WIB"), "\(added.output)")
        let wrong = try await SmallDefectTests.nadi(
            ["maintenance", "add", "--device", "PLG-FO-3", "--from", "2099-01-02 02:00", "--to", "2099-01-01 22:00", "--reason", "x"],
            url: url)
        #expect(wrong.status == 64, "\(wrong.output)")
        #expect(wrong.output.contains("must be after"), "\(wrong.output)")
        let list = try await SmallDefectTests.nadi(["maintenance", "list"], url: url)
        #expect(list.output.contains("PLG-FO-3") && list.output.contains("Penyambungan ulang"), "\(list.output)")
        let cancel = try await SmallDefectTests.nadi(["maintenance", "cancel", "1"], url: url)
        #expect(cancel.status == 0, "\(cancel.output)")
        let again = try await SmallDefectTests.nadi(["maintenance", "cancel", "1"], url: url)
        #expect(again.status == 1)
        let empty = try await SmallDefectTests.nadi(["maintenance", "list"], url: url)
        #expect(empty.output.contains("0 windows"), "\(empty.output)")
    }
}
