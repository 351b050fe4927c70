import Foundation
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("Database sessions")
struct SessionSettingsTests {
    @Test("every session Nadi opens runs with JIT off and 16 MB of work_mem, whatever the server's defaults")
    func jitOff() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            #expect(try await TestClient.scalar(client, "SHOW jit", as: String.self) == "off")
            #expect(try await TestClient.scalar(client, "SHOW work_mem", as: String.self) == "16MB")
            // The server's own default is untouched (other clients of a shared database keep theirs).
            #expect(try await TestClient.scalar(client, "SELECT boot_val FROM pg_settings WHERE name = 'jit'", as: String.self) == "on")
        }
    }
}
