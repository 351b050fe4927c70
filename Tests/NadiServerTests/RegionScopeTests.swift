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

/// A token is limited to its region subtree on every write path (issue 12, items 1–3 and the
/// existence leaks): it cannot take over, move or overwrite another region's devices and sites, nor
/// point its devices at another region's sites, and its answers say nothing about other regions.
@Suite("Region scope of tokens")
struct RegionScopeTests {
    /// An OKU (16.01) device, school and attendance device registered by an all-region token.
    static func seedOKU(_ http: some TestClientProtocol, _ app: NadiTestApp) async throws {
        let sites = #"[{"code":"16010001","kind":"school","name":"SD Negeri 1 Baturaja","region":"16.01.07","lat":-4.13,"lon":104.17}]"#
        #expect(try Outcome(try await http.post("/v1/sites", token: app.admin, json: sites)).accepted == 1)
        let devices = """
            [{"id":"OKU-CCTV-1","kind":"cctv","region":"16.01.07","site":"16010001","name":"CCTV SD 1","installed":"2024-01-01",
              "attributes":{"public":false,"stream_url":"rtsp://10.9.9.9/private"}},
             {"id":"OKU-ATT-1","kind":"attendance","region":"16.01.07","name":"Absensi Kantor","installed":"2024-01-01",
              "attributes":{"serial":"OKU123"}}]
            """
        #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices)).accepted == 2)
    }

    @Test("an existing device in another region cannot be taken over, moved or overwritten; the rest of the batch is stored")
    func deviceTakeover() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Self.seedOKU(http, app)
            let body = """
                [{"id":"OKU-CCTV-1","kind":"cctv","region":"16.71.01","name":"Mine now","installed":"2024-01-01",
                  "attributes":{"public":true,"stream_url":"rtsp://attacker/live"}},
                 {"id":"PLG-VT-1","kind":"videotron","region":"16.71.01","name":"Honest","installed":"2024-01-01","attributes":{"size_m2":10}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: body))
            #expect(outcome.accepted == 1)
            #expect(outcome.rejected.map(\.index) == [0])
            #expect(outcome.rejected.first?.error.contains("16.01") == false, "the answer does not say where the device is")
            let row = try await TestClient.scalar(
                db, "SELECT region::text || ' ' || name || ' ' || (attributes->>'stream_url') FROM device WHERE external_id = 'OKU-CCTV-1'",
                as: String.self)
            #expect(row == "16.01.07 CCTV SD 1 rtsp://10.9.9.9/private")
            let own = try await http.get("/v1/devices/OKU-CCTV-1", token: app.admin)
            #expect(own.status == .ok)
        }
    }

    @Test("an existing site in another region cannot be moved or overwritten")
    func siteTakeover() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Self.seedOKU(http, app)
            let body = #"[{"code":"16010001","kind":"school","name":"Moved","region":"16.71.01"}]"#
            let outcome = try Outcome(try await http.post("/v1/sites", token: app.palembang, json: body))
            #expect(outcome.accepted == 0)
            #expect(outcome.rejected.map(\.index) == [0])
            let row = try await TestClient.scalar(
                db, "SELECT region::text || ' ' || name || ' ' || lat::text FROM site WHERE code = '16010001'", as: String.self)
            #expect(row == "16.01.07 SD Negeri 1 Baturaja -4.13")
        }
    }

    @Test("a device may not name a site of another region (read like an unknown site) nor one outside its own region")
    func siteReference() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Self.seedOKU(http, app)
            let school = #"[{"code":"16710005","kind":"school","name":"SMP 5","region":"16.71.05"}]"#
            #expect(try Outcome(try await http.post("/v1/sites", token: app.palembang, json: school)).accepted == 1)
            let body = """
                [{"id":"PLG-CCTV-X","kind":"cctv","region":"16.71.01","site":"16010001","name":"Points at OKU","installed":"2024-01-01",
                  "attributes":{"public":true,"stream_url":"rtsp://attacker/live"}},
                 {"id":"PLG-CCTV-Y","kind":"cctv","region":"16.71.01","site":"99999999","name":"Unknown site","installed":"2024-01-01",
                  "attributes":{"public":true,"stream_url":"rtsp://x/live"}},
                 {"id":"PLG-CCTV-Z","kind":"cctv","region":"16.71.01","site":"16710005","name":"Other kecamatan","installed":"2024-01-01",
                  "attributes":{"public":true,"stream_url":"rtsp://x/live"}},
                 {"id":"PLG-CCTV-W","kind":"cctv","region":"16.71.05","site":"16710005","name":"Right place","installed":"2024-01-01",
                  "attributes":{"public":true,"stream_url":"rtsp://x/live"}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: body))
            #expect(outcome.accepted == 1)
            #expect(outcome.rejected.map(\.index) == [0, 1, 2])
            #expect(outcome.rejected[0].error == "site '16010001' does not exist; register it with POST /v1/sites first")
            #expect(outcome.rejected[1].error == "site '99999999' does not exist; register it with POST /v1/sites first")
            #expect(outcome.rejected[2].error.contains("outside the device's region 16.71.01"))
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM device WHERE site = '16010001'", as: Int.self) == 1)
        }
    }

    @Test("answers read the same for another region's device as for an unknown one: pings, serials, device view")
    func existenceLeaks() async throws {
        try await NadiTestApp.run { app, http, _ in
            try await Self.seedOKU(http, app)
            let now = Date().addingTimeInterval(-10)
            let pings = "[\(Fixtures.ping("OKU-CCTV-1", now)),\(Fixtures.ping("NOBODY-9", now))]"
            let outcome = try Outcome(try await http.post("/v1/pings", token: app.palembang, json: pings))
            #expect(outcome.rejected.count == 2)
            #expect(outcome.rejected[0].error == "unknown device 'OKU-CCTV-1'; register it with POST /v1/inventory")
            #expect(outcome.rejected[1].error == "unknown device 'NOBODY-9'; register it with POST /v1/inventory")
            let clash =
                #"[{"id":"PLG-ATT-9","kind":"attendance","region":"16.71.01","name":"Clash","installed":"2024-01-01","attributes":{"serial":"OKU123"}}]"#
            let serial = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: clash))
            #expect(serial.rejected.count == 1)
            #expect(serial.rejected.first?.error.contains("OKU-ATT-1") == false, "the owner of a serial is not named")
            let view = try await http.get("/v1/devices/OKU-CCTV-1", token: app.palembang)
            let unknown = try await http.get("/v1/devices/NOBODY-9", token: app.palembang)
            #expect(view.status == unknown.status)
            #expect(
                String(buffer: view.body).replacingOccurrences(of: "OKU-CCTV-1", with: "X")
                    == String(buffer: unknown.body).replacingOccurrences(of: "NOBODY-9", with: "X"))
        }
    }
}

/// Probes cannot be aimed at this machine or at link-local services unless the operator allows it
/// (issue 12, "probes as a scanner").
@Suite("Probe address policy")
struct ProbePolicyTests {
    @Test("inventory refuses loopback and link-local probe and SNMP hosts by default, with the flag that allows them")
    func refusedByDefault() async throws {
        try await NadiTestApp.run { app, http, _ in
            let body = """
                [{"id":"PLG-VT-M","kind":"videotron","region":"16.71.01","name":"Metadata","installed":"2024-01-01",
                  "attributes":{"size_m2":1,"probe":{"url":"http://169.254.169.254/latest/meta-data/"}}},
                 {"id":"PLG-VT-L","kind":"videotron","region":"16.71.01","name":"Loopback","installed":"2024-01-01",
                  "attributes":{"size_m2":1,"probe":{"url":"tcp://127.0.0.1:5432"}}},
                 {"id":"PLG-VT-6","kind":"videotron","region":"16.71.01","name":"Loopback v6","installed":"2024-01-01",
                  "attributes":{"size_m2":1,"probe":{"url":"tcp://[::ffff:127.0.0.1]:22"}}},
                 {"id":"PLG-FO-L","kind":"fiber_link","region":"16.71.01","name":"SNMP here","installed":"2024-01-01",
                  "attributes":{"length_km":1,"a_end":"A","z_end":"B","snmp":{"host":"localhost","community":"c","if_index":1}}},
                 {"id":"PLG-VT-OK","kind":"videotron","region":"16.71.01","name":"Real camera net","installed":"2024-01-01",
                  "attributes":{"size_m2":1,"probe":{"url":"http://10.20.30.40/"}}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: body))
            #expect(outcome.accepted == 1)
            #expect(outcome.rejected.map(\.index) == [0, 1, 2, 3])
            #expect(outcome.rejected.allSatisfy { $0.error.contains("--probe-allow") }, "\(outcome.rejected)")
        }
    }

    @Test("an allowed range is probed; resolution of a name to loopback is refused at poll time")
    func policy() throws {
        let strict = ProbeAddressPolicy()
        #expect(strict.refusal(try SocketAddress(ipAddress: "127.0.0.1", port: 80)) != nil)
        #expect(strict.refusal(try SocketAddress(ipAddress: "fe80::1", port: 80)) != nil)
        #expect(strict.refusal(try SocketAddress(ipAddress: "10.1.2.3", port: 80)) == nil)
        let open = ProbeAddressPolicy(allowed: [ProbeAddressPolicy.Range("127.0.0.0/8")].compactMap { $0 })
        #expect(open.refusal(try SocketAddress(ipAddress: "127.0.0.1", port: 80)) == nil)
        #expect(open.refusal(try SocketAddress(ipAddress: "169.254.169.254", port: 80)) != nil)
    }
}
