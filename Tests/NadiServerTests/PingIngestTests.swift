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

@Suite("Ping ingest over HTTP")
struct PingIngestTests {
    /// An hour ago, on a whole minute.
    static let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 3600)
    static func at(_ seconds: Int) -> Date { base.addingTimeInterval(TimeInterval(seconds)) }

    @Test("each bad record is rejected with its index and reason; the good ones are stored")
    func perRecordRejection() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let future = Date().addingTimeInterval(600)
            let body = """
                [\(Fixtures.ping("PLG-CCTV-1", Self.at(0))),
                 {"device":"PLG-CCTV-1","status":"sideways"},
                 {"device":"PLG-CCTV-1","at":"yesterday","status":"up"},
                 \(Fixtures.ping("PLG-CCTV-1", future)),
                 \(Fixtures.ping("NOBODY-1", Self.at(0))),
                 \(Fixtures.ping("OKU-VT-1", Self.at(0))),
                 {"device":"PLG-FO-1","status":"up","latency_ms":"fast"},
                 \(Fixtures.ping("PLG-FO-1", Self.at(0), "degraded"))]
                """
            let response = try await http.post("/v1/pings", token: app.palembang, json: body)
            #expect(response.status == .ok)
            let outcome = try Outcome(response)
            #expect(outcome.accepted == 2)
            #expect(outcome.rejected.map(\.index) == [1, 2, 3, 4, 5, 6])
            #expect(outcome.rejected[0].error.contains("unknown status 'sideways'; expected one of up, degraded, down"))
            #expect(outcome.rejected[1].error.contains("RFC 3339"))
            #expect(outcome.rejected[2].error.contains("ahead of the server clock"))
            #expect(outcome.rejected[3].error.contains("unknown device 'NOBODY-1'"))
            #expect(
                outcome.rejected[4].error == "unknown device 'OKU-VT-1'; register it with POST /v1/inventory",
                "another region's device reads like an unknown one")
            #expect(outcome.rejected[5].error.contains("latency_ms"))
            let stored = try await TestClient.scalar(db, "SELECT count(*)::int8 FROM ping", as: Int.self)
            #expect(stored == 2)
            let sighting = try await TestClient.scalar(
                db, "SELECT count FROM unregistered_sighting WHERE external_id = 'NOBODY-1' AND source = 'http'", as: Int64.self)
            #expect(sighting == 1)
        }
    }

    @Test("a repeated ping is counted as a duplicate and stored once, within a request and across retries")
    func duplicates() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let one = Fixtures.ping("PLG-CCTV-1", Self.at(0))
            let two = Fixtures.ping("PLG-CCTV-1", Self.at(60))
            let first = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(one),\(one),\(two)]"))
            #expect(first == Outcome(accepted: 2, duplicates: 1, rejected: []))
            let retry = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(one),\(two)]"))
            #expect(retry == Outcome(accepted: 0, duplicates: 2, rejected: []))
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM ping", as: Int.self) == 2)
        }
    }

    @Test("NDJSON bodies are accepted; a malformed line is rejected with its index")
    func ndjson() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let body = "\(Fixtures.ping("PLG-CCTV-1", Self.at(0)))\r\n{\"device\": oops\n\n\(Fixtures.ping("PLG-CCTV-1", Self.at(60)))\n"
            let outcome = try Outcome(try await http.post("/v1/pings", token: app.admin, json: body, contentType: "application/x-ndjson"))
            #expect(outcome.accepted == 2)
            #expect(outcome.rejected.map(\.index) == [1])
            #expect(outcome.rejected.first?.error.contains("malformed JSON") == true)
        }
    }

    /// Pings of one device, an hour ago: up, up, down, down, up, (silence), up, up — then nothing.
    static let history: [(Int, String)] = [(0, "up"), (60, "up"), (120, "down"), (180, "down"), (240, "up"), (900, "up"), (960, "up")]

    /// The timeline DESIGN.md defines for `history` with interval 60 s and miss count 3, by hand.
    static let expected: [StateRun] = [
        StateRun(status: .up, start: at(0), end: at(120)),
        StateRun(status: .down, start: at(120), end: at(240)),
        StateRun(status: .up, start: at(240), end: at(300)),
        StateRun(status: .down, reason: "silent", start: at(300), end: at(900)),
        StateRun(status: .up, start: at(900), end: at(1020)),
        StateRun(status: .down, reason: "silent", start: at(1020), end: nil),
    ]

    enum Arrival: String, CaseIterable, Sendable {
        case oneBatch, reversedOneByOne, lateBufferedUpload, shuffledBatches
    }

    @Test("state intervals equal the hand-computed timeline whatever order the pings arrive in", arguments: Arrival.allCases)
    func timelineIndependentOfArrival(arrival: Arrival) async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let pings = Self.history.map { Fixtures.ping("PLG-CCTV-1", Self.at($0.0), $0.1) }
            let batches: [[String]]
            switch arrival {
            case .oneBatch: batches = [pings]
            case .reversedOneByOne: batches = pings.reversed().map { [$0] }
            case .lateBufferedUpload: batches = [[pings[0], pings[1], pings[6]], [pings[2], pings[3], pings[4], pings[5]]]
            case .shuffledBatches: batches = [[pings[4], pings[0]], [pings[6], pings[2], pings[5]], [pings[3], pings[1]]]
            }
            for batch in batches {
                let outcome = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(batch.joined(separator: ","))]"))
                #expect(outcome.accepted == batch.count)
            }
            #expect(try await intervals(of: "PLG-CCTV-1", db) == Self.expected)
            let current = try await state(of: "PLG-CCTV-1", db)
            #expect(current.status == "down")
            #expect(current.reason == "silent")
            #expect(current.since == Self.at(1020))
        }
    }

    @Test("the sweeper marks a silent device down from one interval after its last ping, and the next ping brings it back")
    func sweeperBackdatesSilence() async throws {
        try await NadiTestApp.run(configure: {
            $0.writer.sweepInterval = .milliseconds(100)
            $0.writer.sweepGrace = 0
        }) { app, http, db in
            let device = """
                [{"id":"PLG-ATT-1","kind":"attendance","region":"16.71.01","name":"Fingerprint Kantor Walikota","installed":"2025-01-01",
                  "interval_s":1,"attributes":{"serial":"CKJG2024001"}}]
                """
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: device)).accepted == 1)
            let first = Date()
            #expect(
                try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(Fixtures.ping("PLG-ATT-1", first))]")).accepted
                    == 1)
            #expect(try await state(of: "PLG-ATT-1", db).status == "up")
            try await eventually("the sweeper marks the device silent") {
                try await state(of: "PLG-ATT-1", db)
            } until: {
                $0.reason == "silent"
            }
            let down = try await state(of: "PLG-ATT-1", db)
            #expect(down.status == "down")
            #expect(
                abs((down.since ?? .distantPast).timeIntervalSince(first.addingTimeInterval(1))) < 0.001,
                "backdated to last ping + interval")
            let back = Date()
            #expect(
                try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(Fixtures.ping("PLG-ATT-1", back))]")).accepted == 1
            )
            let runs = try await intervals(of: "PLG-ATT-1", db)
            #expect(runs.map(\.status) == [.up, .down, .up])
            #expect(runs[1].reason == "silent")
            #expect(runs[1].end.map { abs($0.timeIntervalSince(back)) < 0.001 } == true)
            #expect(try await state(of: "PLG-ATT-1", db).status == "up")
        }
    }

    @Test("a device that never pinged is unknown with reason never_seen")
    func neverSeen() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let current = try await state(of: "PLG-FO-1", db)
            #expect(current.status == "unknown")
            #expect(current.reason == "never_seen")
            let response = try await http.get("/v1/devices/PLG-FO-1", token: app.palembang)
            #expect(response.status == .ok)
            let view = try JSONDecoder().decode([String: JSONValue].self, from: Data(response.body.readableBytesView))
            #expect(view["status"] == .string("unknown"))
            #expect(view["reason"] == .string("never_seen"))
        }
    }
}
