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

/// Every error says what is wrong in the user's words, the same way everywhere (through a socket).
@Suite("Error answers")
struct ErrorAnswerTests {
    @Test(
        "a maintenance body with a repeated key or an unknown field is refused and stores nothing; /static 404s in JSON; pings' number errors are words"
    )
    func answers() async throws {
        try await NadiTestApp.run { app, http, db in
            try await Fixtures.seed(http, app)
            let repeated = try await http.post(
                "/v1/maintenance", token: app.admin,
                json: #"{"device":"PLG-FO-1","device":"PLG-CCTV-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x"}"#)
            #expect(repeated.status == .badRequest && String(buffer: repeated.body).contains("'device' appears twice"))
            let unknown = try await http.post(
                "/v1/maintenance", token: app.admin,
                json: #"{"device":"PLG-FO-1","from":"2030-12-01 22:00","to":"2030-12-02 02:00","reason":"x","colour":"red"}"#)
            #expect(unknown.status == .badRequest && String(buffer: unknown.body).contains("unknown field 'colour'"))
            #expect(try await TestClient.scalar(db, "SELECT count(*)::int8 FROM maintenance_window", as: Int.self) == 0)

            let missing = try await http.execute(uri: "/static/nope.css", method: .get, headers: [:])
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(String(buffer: missing.body).contains(#""error":"#))

            let tiny = try await http.post(
                "/v1/pings", token: app.admin,
                json: #"[{"device":"PLG-CCTV-1","at":"\#(Timestamp.format(Date()))","status":"up","latency_ms":1e-400}]"#)
            let outcome = try Outcome(tiny)
            #expect(outcome.rejected.first?.error.contains("out of range") == true, "\(outcome)")
            #expect(outcome.rejected.first?.error.contains("Swift") == false)
        }
    }
}
