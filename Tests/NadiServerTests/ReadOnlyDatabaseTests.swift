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

@Suite("Database refusing writes")
struct ReadOnlyDatabaseTests {
    /// Makes the app's database read-only (or writable again) and ends its sessions, so every new
    /// connection sees the change, as after a failover to a standby.
    static func setReadOnly(_ on: Bool, database url: DatabaseURL) async throws {
        var admin = url
        admin.database = "postgres"
        let name = url.database ?? ""
        try await TestClient.with(admin) { client async throws in
            let setting = on ? "SET default_transaction_read_only = on" : "RESET default_transaction_read_only"
            _ = try await client.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \"\(name)\" \(setting)"))
            _ = try await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name)")
        }
    }

    @Test("a read-only database gives 503 with Retry-After and a clear reason, readyz says so, and nadid carries on once it is writable")
    func readOnly() async throws {
        try await NadiTestApp.run { app, http, client in
            try await Fixtures.seed(http, app)
            try await Self.setReadOnly(true, database: app.url)
            let ping = Fixtures.ping("PLG-CCTV-1", Date().addingTimeInterval(-30))
            var refused: TestResponse?
            for _ in 0..<30 {  // the pool may first hand out a connection ended a moment ago
                let response = try await http.post("/v1/pings", token: app.admin, json: "[\(ping)]")
                if response.status == .serviceUnavailable, String(buffer: response.body).contains("read-only") {
                    refused = response
                    break
                }
                #expect(response.status != .ok, "a ping was acknowledged by a read-only database")
                try await Task.sleep(for: .milliseconds(100))
            }
            let answer = try #require(refused)
            #expect(answer.headers[.retryAfter] != nil)
            #expect(String(buffer: answer.body).contains("read-only"), "\(String(buffer: answer.body))")
            let ready = try await http.get("/readyz", token: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body).contains("read-only"))
            #expect(try await http.get("/healthz", token: nil).status == .ok, "the process is up, not crash-looping")

            try await Self.setReadOnly(false, database: app.url)
            var stored = false
            for _ in 0..<50 where !stored {
                let response = try await http.post("/v1/pings", token: app.admin, json: "[\(ping)]")
                stored = response.status == .ok
                if !stored { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(stored, "ingest works again without a restart")
            #expect(try await http.get("/readyz", token: nil).status == .ok)
            let count = try await client.query("SELECT count(*)::int8 FROM ping").collect().first?.decode(Int64.self)
            #expect(count == 1)
        }
    }
}
