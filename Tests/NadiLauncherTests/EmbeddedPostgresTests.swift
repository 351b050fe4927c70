import Foundation
import NadiLauncher
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Embedded PostgreSQL")
struct EmbeddedPostgresTests {
    @Test("a cluster is created (also as root), restarts on the same state dir with its data, and stops")
    func createRestartStop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-embedded-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let installation = try await PostgresInstallation.locate()
        let cluster = EmbeddedPostgres(
            stateDirectory: directory, installation: installation, durable: false, logger: TestCluster.quietLogger)
        #expect(try await cluster.start() == true)
        #expect(try await cluster.start() == false, "a second start reuses the running server")
        try await TestClient.with(cluster.url) { client async throws in
            _ = try await client.query("CREATE TABLE kept (note text)")
            _ = try await client.query("INSERT INTO kept VALUES ('still here')")
            let user = try await TestClient.scalar(client, "SELECT current_user::text", as: String.self)
            #expect(user == EmbeddedPostgres.roleName)
            let listen = try await TestClient.scalar(client, "SHOW listen_addresses", as: String.self)
            #expect(listen == "", "the embedded cluster listens on its Unix socket only")
        }
        let pid = try #require(cluster.serverPID())
        try await cluster.stop()
        #expect(await ProcessCheck.waitUntilGone(pid), "no server process is left behind")
        #expect(await cluster.isRunning() == false)

        #expect(try await cluster.start() == true)
        try await TestClient.with(cluster.url) { client async throws in
            #expect(try await TestClient.scalar(client, "SELECT note FROM kept", as: String.self) == "still here")
        }
        try await cluster.stop()

        // The state directory and the data inside are private.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        let mode = (attributes[.posixPermissions] as? Int) ?? 0o777
        #expect(mode & 0o007 == 0, "state dir is not accessible to others: \(String(mode, radix: 8))")
        let dataMode = (try FileManager.default.attributesOfItem(atPath: cluster.dataDirectory.path)[.posixPermissions] as? Int) ?? 0o777
        #expect(dataMode & 0o077 == 0)
    }

    @Test("without PostgreSQL installed, one clear message says what to install")
    func missingInstallation() async throws {
        let error = await #expect(throws: EmbeddedPostgresError.self) {
            try await PostgresInstallation.locate(environment: ["PATH": "/nonexistent"], pgConfigs: [], debianRoot: "/nonexistent")
        }
        let message = try #require(error?.description)
        #expect(message.contains("apt-get install -y postgresql postgresql-contrib"))
        #expect(message.contains("NADI_DATABASE_URL"))
    }
}
