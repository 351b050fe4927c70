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

/// The `upstream` inventory field (issue 14, first part): links checked per record, kept with
/// their history, shown with the count of dependents.
@Suite("Upstream links in the inventory")
struct TopologyInventoryTests {
    static func device(_ id: String, kind: String = "videotron", upstream: String? = nil, clear: Bool = false) -> String {
        let link = clear ? #","upstream":null"# : upstream.map { #","upstream":"\#($0)""# } ?? ""
        let attributes =
            kind == "fiber_link" ? #"{"length_km":2,"a_end":"A","z_end":"B"}"# : #"{"size_m2":10}"#
        return
            #"{"id":"\#(id)","kind":"\#(kind)","region":"16.71.01","name":"\#(id)","installed":"2024-01-01","attributes":\#(attributes)\#(link)}"#
    }

    struct View: Decodable {
        var upstream: String?
        var dependents: Int
    }

    @Test("a chain POP → link → devices in one batch; cycle, self and unknown upstreams refused with their index, the rest stored")
    func chainAndRefusals() async throws {
        try await NadiTestApp.run { app, http, db in
            let batch = [
                Self.device("VT-1", upstream: "FO-1"),  // before its upstream in the batch: fine
                Self.device("FO-1", kind: "fiber_link", upstream: "POP-1"),
                Self.device("POP-1", kind: "fiber_link"),
                Self.device("VT-2", upstream: "FO-1"),
                Self.device("VT-3", upstream: "VT-3"),
                Self.device("VT-4", upstream: "NOWHERE-9"),
                Self.device("VT-5", upstream: "VT-2"),
            ]
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: "[\(batch.joined(separator: ","))]"))
            #expect(outcome.accepted == 5, "\(outcome)")
            #expect(outcome.rejected.map(\.index) == [4, 5])
            #expect(outcome.rejected[0].error.contains("own upstream"))
            #expect(outcome.rejected[1].error.contains("'NOWHERE-9' does not exist"))
            // POP-1 behind VT-5 would close POP-1 → VT-5 → VT-2 → FO-1 → POP-1.
            let cycle = try Outcome(
                try await http.post(
                    "/v1/inventory", token: app.palembang, json: "[\(Self.device("POP-1", kind: "fiber_link", upstream: "VT-5"))]"))
            #expect(cycle.rejected.first?.error.contains("would close a cycle") == true, "\(cycle)")
            let pop = try JSONDecoder().decode(
                View.self, from: Data(try await http.get("/v1/devices/POP-1", token: app.palembang).body.readableBytesView))
            #expect(pop.upstream == nil)
            #expect(pop.dependents == 4, "FO-1, VT-1, VT-2, VT-5")
            let link = try JSONDecoder().decode(
                View.self, from: Data(try await http.get("/v1/devices/FO-1", token: app.palembang).body.readableBytesView))
            #expect(link.upstream == "POP-1")
            #expect(link.dependents == 3)
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM device_link WHERE valid_to IS NULL", as: Int.self) == 4)
        }
    }

    @Test("re-sending a device without upstream keeps its link; null clears it; a change closes the old link in the history")
    func history() async throws {
        try await NadiTestApp.run { app, http, db in
            let setup = [
                Self.device("FO-1", kind: "fiber_link"), Self.device("FO-2", kind: "fiber_link"), Self.device("VT-1", upstream: "FO-1"),
            ]
            #expect(
                try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: "[\(setup.joined(separator: ","))]")).accepted
                    == 3)
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: "[\(Self.device("VT-1"))]")).accepted == 1)
            #expect(
                try await TestClient.scalar(
                    db, "SELECT u.external_id FROM device d JOIN device u ON u.id = d.upstream_id WHERE d.external_id = 'VT-1'",
                    as: String.self) == "FO-1")
            let change = try await http.post("/v1/inventory", token: app.palembang, json: "[\(Self.device("VT-1", upstream: "FO-2"))]")
            #expect(change.status == .ok, "\(String(buffer: change.body))")
            #expect(try Outcome(change).accepted == 1)
            #expect(
                try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: "[\(Self.device("VT-1", clear: true))]"))
                    .accepted == 1)
            let history = try await TestClient.scalar(
                db,
                """
                SELECT string_agg(u.external_id || CASE WHEN l.valid_to IS NULL THEN ' open' ELSE ' closed' END, ',' ORDER BY l.valid_from)
                FROM device_link l JOIN device u ON u.id = l.upstream_id JOIN device d ON d.id = l.device_id WHERE d.external_id = 'VT-1'
                """, as: String.self)
            #expect(history == "FO-1 closed,FO-2 closed")
            #expect(
                try await TestClient.scalar(db, "SELECT upstream_id IS NULL FROM device WHERE external_id = 'VT-1'", as: Bool.self) == true)
        }
    }
}
