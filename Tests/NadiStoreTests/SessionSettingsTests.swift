import Foundation
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("Database sessions")
struct SessionSettingsTests {
    @Test("every session Nadi opens runs with PostgreSQL's JIT off, whatever the server's default")
    func jitOff() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            #expect(try await TestClient.scalar(client, "SHOW jit", as: String.self) == "off")
            // The server's own default is untouched (other clients of a shared database keep theirs).
            #expect(try await TestClient.scalar(client, "SELECT boot_val FROM pg_settings WHERE name = 'jit'", as: String.self) == "on")
        }
    }
}
