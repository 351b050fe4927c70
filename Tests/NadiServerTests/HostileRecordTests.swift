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
import Synchronization
import Testing

/// Records the database cannot hold are refused per record before they are queued, and never fail
/// other clients' requests (issue 12, item 4), and what unauthenticated or careless clients can make
/// nadid store or answer is bounded (issue 12, "unauthenticated growth").
@Suite("Hostile records")
struct HostileRecordTests {
    static let hostileBodies: [(String, String)] = [
        ("application/json", #"[{"device":"PLG-CCTV-1","status":"down","reason":"cut\u0000"}]"#),
        ("application/json", #"[{"device":"PLG-CCTV-1","status":"up","metrics":{"note":"a\u0000b"}}]"#),
        ("application/json", #"[{"device":"PLG-CCTV-1","status":"up","metrics":{"k\u0000":1}}]"#),
        ("application/json", #"[{"device":"PLG\u0000CCTV","status":"up"}]"#),
        ("application/x-ndjson", #"{"device":"PLG-CCTV-1","status":"up","metrics":{"x":1e-99999}}"#),
        ("application/x-ndjson", #"{"device":"PLG-CCTV-1","status":"up","metrics":{"x":1e999}}"#),
    ]

    @Test("a NUL flood from one client fails none of the honest requests and readyz stays ready")
    func nulFlood() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let honestFailures = Locked(0)
            let honestSent = Locked(0)
            let notReady = Locked(0)
            let polls = Locked(0)
            let base = Date().addingTimeInterval(-4000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // ~25 hostile requests a second for 4 s.
                    for round in 0..<100 {
                        let (type, body) = Self.hostileBodies[round % Self.hostileBodies.count]
                        let response = try await http.post("/v1/pings", token: app.palembang, json: body, contentType: type)
                        #expect(response.status == .ok, "a hostile record is refused in a 200 answer, not a 5xx: \(response.status)")
                        try await Task.sleep(for: .milliseconds(40))
                    }
                }
                for sender in 0..<4 {
                    group.addTask {
                        for batch in 0..<25 {
                            let pings = (0..<20).map { n in
                                Fixtures.ping(
                                    ["PLG-CCTV-1", "PLG-FO-1"][n % 2],
                                    base.addingTimeInterval(Double(sender * 1000 + batch * 20 + n)))
                            }
                            let response = try await http.post("/v1/pings", token: app.palembang, json: "[\(pings.joined(separator: ","))]")
                            honestSent.withLock { $0 += 1 }
                            if response.status != .ok || (try? Outcome(response))?.accepted != 20 { honestFailures.withLock { $0 += 1 } }
                            try await Task.sleep(for: .milliseconds(30))
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<40 {
                        let ready = try await http.get("/readyz", token: nil)
                        polls.withLock { $0 += 1 }
                        if ready.status != .ok { notReady.withLock { $0 += 1 } }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try await group.waitForAll()
            }
            print(
                "nul flood: \(honestSent.withLock { $0 }) honest requests, \(honestFailures.withLock { $0 }) failed; readyz 503 on \(notReady.withLock { $0 }) of \(polls.withLock { $0 }) polls"
            )
            #expect(honestFailures.withLock { $0 } == 0)
            #expect(notReady.withLock { $0 } == 0)
            #expect((try await TestClient.scalar(db, "SELECT count(*)::int8 FROM ping", as: Int.self) ?? 0) >= 4 * 25 * 20)
        }
    }

    @Test("each NUL-carrying or unrepresentable record gets its index and reason; the good record beside it is stored")
    func perRecord() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let at = Date().addingTimeInterval(-120)
            for (type, body) in Self.hostileBodies {
                let good = Fixtures.ping("PLG-FO-1", at.addingTimeInterval(Double.random(in: 0..<100)))
                let combined = type == "application/json" ? "[\(good),\(body.dropFirst())" : "\(good)\n\(body)"
                let response = try await http.post("/v1/pings", token: app.palembang, json: combined, contentType: type)
                #expect(response.status == .ok, "\(body)")
                let outcome = try Outcome(response)
                #expect(outcome.accepted == 1, "\(body): \(outcome)")
                #expect(outcome.rejected.map(\.index) == [1], "\(body): \(outcome)")
                if body.contains("e999") { #expect(outcome.rejected.first?.error.contains("out of range") == true, "\(outcome)") }
            }
            let inventory = """
                [{"id":"PLG-VT-N","kind":"videotron","region":"16.71.01","name":"Nul\\u0000name","installed":"2024-01-01","attributes":{"size_m2":1}},
                 {"id":"PLG-CCTV-N","kind":"cctv","region":"16.71.01","name":"Cam","installed":"2024-01-01","attributes":{"stream_url":"rtsp://a/\\u0000"}},
                 {"id":"PLG-VT-K","kind":"videotron","region":"16.71.01","name":"Key","installed":"2024-01-01","attributes":{"size_m2":1,"k\\u0000":1}},
                 {"id":"PLG-VT-OK","kind":"videotron","region":"16.71.01","name":"Fine","installed":"2024-01-01","attributes":{"size_m2":1}}]
                """
            let outcome = try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: inventory))
            #expect(outcome.accepted == 1)
            #expect(outcome.rejected.map(\.index) == [0, 1, 2])
            #expect(outcome.rejected.allSatisfy { $0.error.contains("NUL") }, "\(outcome.rejected)")
            let site = #"[{"code":"16719999","kind":"school","name":"Nul\u0000","region":"16.71.01"}]"#
            #expect(try Outcome(try await http.post("/v1/sites", token: app.palembang, json: site)).rejected.count == 1)
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM device WHERE external_id = 'PLG-VT-OK'", as: Int.self) == 1)
        }
    }

    @Test("answers stay bounded: 100,001 records get 413, 5,000 unknown pings list 1,000 rejections with the total, sightings are capped")
    func boundedAnswers() async throws {
        try await NadiTestApp.run(configure: {
            $0.sightingsPerMinute = 50
            $0.maxBodyBytes = 32 << 20
            $0.trustedProxies = ["127.0.0.1", "::1"]
        }) { app, http, db in
            let at = Timestamp.format(Date().addingTimeInterval(-60))
            let huge = (0..<100_001).map { #"{"device":"X-\#($0)","at":"\#(at)","status":"up"}"# }.joined(separator: "\n")
            let tooMany = try await http.post("/v1/pings", token: app.palembang, json: huge, contentType: "application/x-ndjson")
            #expect(tooMany.status == .contentTooLarge)
            #expect(String(buffer: tooMany.body).contains("at most 100000"))
            let many = (0..<5000).map { #"{"device":"X-\#($0)","at":"\#(at)","status":"up"}"# }.joined(separator: "\n")
            let response = try await http.post("/v1/pings", token: app.palembang, json: many, contentType: "application/x-ndjson")
            #expect(response.status == .ok)
            struct Bounded: Decodable {
                var rejected: [Outcome.Rejection]
                var rejected_total: Int?
            }
            let answer = try JSONDecoder().decode(Bounded.self, from: Data(response.body.readableBytesView))
            #expect(answer.rejected.count == 1000)
            #expect(answer.rejected_total == 5000)
            #expect(response.body.readableBytes < 120_000)
            // Per request at most 100 new sightings, per minute at most 50 (configured): the rest are not stored.
            let sightings = try await TestClient.scalar(db, "SELECT count(*)::int8 FROM unregistered_sighting", as: Int.self)
            #expect(sightings == 50)
            // /iclock: one client gets a tenth of the minute (5); many clients together the minute's 50.
            for n in 0..<200 {
                _ = try await http.execute(uri: "/iclock/getrequest?SN=RANDOM\(n)", method: .get, headers: [:])
            }
            #expect(
                try await TestClient.scalar(db, "SELECT count(*)::int8 FROM unregistered_sighting WHERE source = 'iclock'", as: Int.self)
                    == 5)
            for n in 0..<200 {
                let client: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "10.20.\(n / 250).\(n % 250)"]
                _ = try await http.execute(uri: "/iclock/getrequest?SN=MANY\(n)", method: .get, headers: client)
            }
            #expect(
                try await TestClient.scalar(db, "SELECT count(*)::int8 FROM unregistered_sighting WHERE source = 'iclock'", as: Int.self)
                    == 50)
        }
    }
}
