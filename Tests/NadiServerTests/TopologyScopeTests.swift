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

/// Upstream links stay within a token's region (or reach up to a provincial backbone), and what
/// lies outside a reader's region is shown as such, without id, name or state.
@Suite("Topology within a region")
struct TopologyScopeTests {
    static func device(_ id: String, region: String, kind: String = "fiber_link", upstream: String? = nil) -> String {
        let link = upstream.map { #","upstream":"\#($0)""# } ?? ""
        let attributes = kind == "fiber_link" ? #"{"length_km":2,"a_end":"A","z_end":"B"}"# : #"{"size_m2":10}"#
        return
            #"{"id":"\#(id)","kind":"\#(kind)","region":"\#(region)","name":"Nama \#(id)","installed":"2024-01-01","attributes":\#(attributes)\#(link)}"#
    }

    @Test(
        "a 16.71 token may link to its own region and to a provincial backbone; another regency's device is refused as if unknown, and a cycle does not name it"
    )
    func inventory() async throws {
        try await NadiTestApp.run { app, http, _ in
            let seeded = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.admin,
                    json: "[\(Self.device("OKU-FO-1", region: "16.01.07")),\(Self.device("SUMSEL-FO-1", region: "16"))]"))
            #expect(seeded.accepted == 2, "\(seeded)")
            let batch = [
                Self.device("PLG-VT-1", region: "16.71.01", kind: "videotron", upstream: "OKU-FO-1"),
                Self.device("PLG-VT-2", region: "16.71.01", kind: "videotron", upstream: "NOWHERE-FO-1"),
                Self.device("PLG-VT-3", region: "16.71.01", kind: "videotron", upstream: "SUMSEL-FO-1"),
            ]
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: "[\(batch.joined(separator: ","))]"))
            #expect(outcome.accepted == 1 && outcome.rejected.map(\.index) == [0, 1], "\(outcome)")
            let foreign = outcome.rejected[0].error.replacingOccurrences(of: "OKU-FO-1", with: "X")
            let missing = outcome.rejected[1].error.replacingOccurrences(of: "NOWHERE-FO-1", with: "X")
            #expect(foreign == missing, "an existing device of another regency answers as an unknown id does")

            // SUMSEL-FO-1 → OKU-FO-1 → PLG-VT-4 (set by an admin); PLG-VT-4 → SUMSEL-FO-1 closes the cycle.
            let admin = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.admin,
                    json:
                        "[\(Self.device("PLG-VT-4", region: "16.71.01", kind: "videotron")),\(Self.device("OKU-FO-1", region: "16.01.07", upstream: "PLG-VT-4")),\(Self.device("SUMSEL-FO-1", region: "16", upstream: "OKU-FO-1"))]"
                ))
            #expect(admin.rejected.isEmpty, "\(admin)")
            let cycle = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.palembang,
                    json: "[\(Self.device("PLG-VT-4", region: "16.71.01", kind: "videotron", upstream: "SUMSEL-FO-1"))]"))
            let words = cycle.rejected.first?.error ?? ""
            #expect(words.contains("would close a cycle"), "\(cycle)")
            #expect(!words.contains("OKU-FO-1") && words.contains("a device outside your region"), "\(words)")
        }
    }

    @Test("the device page and GET /v1/devices show a hop outside the reader's region without its id, name or state")
    func readers() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            let links = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.admin,
                    json:
                        "[\(Self.device("SUMSEL-FO-1", region: "16")),\(Self.device("PLG-FO-9", region: "16.71.01", upstream: "SUMSEL-FO-1")),\(Self.device("OKU-FO-9", region: "16.01.07", upstream: "PLG-FO-9"))]"
                ))
            #expect(links.rejected.isEmpty, "\(links)")
            var viewer = ConsoleSessionClient()
            _ = try await viewer.login(http, name: "viewer-plg", password: ConsoleFixtures.password)
            let page = String(buffer: try await viewer.get(http, "/devices/PLG-FO-9").body)
            #expect(page.contains("perangkat di luar wilayah Anda"), "\(page.prefix(300))")
            for secret in ["SUMSEL-FO-1", "Nama SUMSEL-FO-1", "OKU-FO-9", "Nama OKU-FO-9"] {
                #expect(!page.contains(secret), "\(secret) shown to a 16.71 viewer")
            }
            let api = try await http.get("/v1/devices/PLG-FO-9", token: app.palembang)
            let body = String(buffer: api.body)
            #expect(body.contains(#""upstream_outside_region":true"#), "\(body)")
            #expect(!body.contains("SUMSEL"))
            let adminView = String(buffer: try await http.get("/v1/devices/PLG-FO-9", token: app.admin).body)
            #expect(adminView.contains(#""upstream":"SUMSEL-FO-1""#), "\(adminView)")
        }
    }
}
