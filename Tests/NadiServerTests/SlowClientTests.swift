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

@Suite("Slow and broken clients")
struct SlowClientTests {
    static func head(_ token: String, length: Int) -> String {
        "POST /v1/pings HTTP/1.1\r\nHost: nadid\r\nContent-Type: application/x-ndjson\r\nAuthorization: Bearer \(token)\r\nContent-Length: \(length)\r\n\r\n"
    }

    @Test("clients that send half a body and stall do not hold up others, and get 408 and are cut off after the request timeout")
    func stalledClients() async throws {
        try await NadiTestApp.run(configure: { $0.requestTimeout = .seconds(4) }) { app, http, client in
            try await Fixtures.seed(http, app)
            let port = try #require(http.port)
            let line = Fixtures.ping("PLG-CCTV-1", Date().addingTimeInterval(-30)) + "\n"
            let stalled = try await withThrowingTaskGroup(of: (Bool, Duration, String).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await RawTCPConnection.with(port: port) { connection in
                            try await connection.send(Self.head(app.admin, length: 10_000) + line)
                            let started = ContinuousClock.now
                            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(10))
                            return (closed, ContinuousClock.now - started, answer)
                        }
                    }
                }
                // Meanwhile a well-behaved client is served at once.
                try await Task.sleep(for: .milliseconds(200))
                let started = ContinuousClock.now
                let response = try await http.post(
                    "/v1/pings", token: app.admin, json: Fixtures.ping("PLG-FO-1", Date().addingTimeInterval(-20)) + "\n",
                    contentType: "application/x-ndjson")
                #expect(response.status == .ok)
                #expect(ContinuousClock.now - started < .seconds(3), "a good client waited for the stalled ones to time out")
                var results: [(Bool, Duration, String)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(stalled.allSatisfy { $0.0 }, "every stalled connection was closed by the server")
            #expect(stalled.allSatisfy { $0.1 < .seconds(9) }, "closed soon after the request timeout: \(stalled.map(\.1))")
            #expect(stalled.allSatisfy { $0.2.hasPrefix("HTTP/1.1 408") }, "\(stalled.first?.2.prefix(200) ?? "")")
            let stored = try await client.query("SELECT count(*)::int8 FROM ping").collect().first?.decode(Int64.self)
            #expect(stored == 1, "nothing of the half-sent bodies was stored")
        }
    }

    @Test("a body trickled in byte by byte gets 408 after the request timeout, although the connection never idles")
    func tricklingClient() async throws {
        try await NadiTestApp.run(configure: {
            $0.idleTimeout = .seconds(2)
            $0.requestTimeout = .seconds(1)
        }) { app, http, _ in
            let port = try #require(http.port)
            let (answer, closed) = try await RawTCPConnection.with(port: port) { connection in
                try await connection.send(Self.head(app.admin, length: 5_000))
                return await connection.trickle(String(repeating: "{", count: 40), every: .milliseconds(250), timeout: .seconds(8))
            }
            #expect(answer.hasPrefix("HTTP/1.1 408"), "answer: \(answer.prefix(200))")
            _ = closed
        }
    }

    @Test("clients that hang up mid-request leave nadid serving, with nothing stored and nothing queued")
    func hangUps() async throws {
        try await NadiTestApp.run { app, http, client in
            try await Fixtures.seed(http, app)
            let port = try #require(http.port)
            let line = Fixtures.ping("PLG-CCTV-1", Date().addingTimeInterval(-30)) + "\n"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<200 {
                    group.addTask {
                        try await RawTCPConnection.with(port: port) { connection in
                            // Half the headers, or the headers and half the body; then hang up.
                            let request = Self.head(app.admin, length: 4_000) + line
                            try await connection.send(String(request.prefix(number % 2 == 0 ? 40 : request.count)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let response = try await http.post("/v1/pings", token: app.admin, json: "[\(line)]")
            #expect(response.status == .ok)
            #expect(try Outcome(response).accepted == 1)
            let stored = try await client.query("SELECT count(*)::int8 FROM ping").collect().first?.decode(Int64.self)
            #expect(stored == 1)
            let metrics = String(buffer: try await http.get("/metrics", token: nil).body)
            #expect(metrics.contains("nadi_ingest_queue_depth 0"))
        }
    }
}
