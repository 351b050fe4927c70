import Foundation
import NIOCore
import NadiBench
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built binaries against a PostgreSQL that is not their embedded default (issue 12 item 6 and
/// "an unreachable or misconfigured database"): the README's service set-up step by step, every
/// read-only command, and clear, quick failures when the database is wrong.
@Suite("Binaries against an external database")
struct ExternalDatabaseTests {
    @Test("the documented set-up on an empty database: nadi migrate, regions import, token create, nadid starts and is ready")
    func documentedSetup() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let database = NadiCLI.databaseText(url)
        let migrate = try await NadiCLI.run(["migrate"], url: database)
        #expect(migrate.status == 0, "\(migrate.output)")
        #expect(migrate.output.contains("applied 001_regions_sites_devices.sql"), "\(migrate.output)")
        let again = try await NadiCLI.run(["migrate"], url: database)
        #expect(again.output.contains("database is up to date"), "\(again.output)")
        let regions = try await NadiCLI.run(["regions", "import", "--builtin"], url: database)
        #expect(regions.status == 0, "\(regions.output)")
        let token = try await NadiCLI.run(
            ["token", "create", "--name", "agents", "--region", "16.71", "--scope", "ingest,inventory,read"], url: database)
        #expect(token.status == 0, "\(token.output)")
        let port = ChildProcess.freePort()
        let daemon = try await Daemon.start(
            stateDir: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString.prefix(6))"), port: port,
            extra: ["--no-poll"], environment: ["NADI_DATABASE_URL": database])
        #expect(await ReadyProbe.status(port: port) == 200)
        daemon.send(SIGTERM)
        #expect(await daemon.wait(timeout: .seconds(30)) == 0)
    }

    @Test(
        "migrated by a role that is not a superuser: nadi migrate and audit verify say the trail's guard is missing and how to install it; once a superuser installs it, the owner cannot drop the trail"
    )
    func guardForAnOwnerRole() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let owner = "owner_\(UUID().uuidString.prefix(6).lowercased())"
        let database = url.database ?? ""
        try await TestClient.with(url) { admin async throws in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(owner) LOGIN"))
            _ = try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) OWNER TO \(owner)"))
        }
        let socket = url.endpoint.socketPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ""
        let asOwner = "postgres://\(owner)@/\(database)?host=\(socket)"
        let migrate = try await NadiCLI.run(["migrate"], url: asOwner)
        #expect(migrate.status == 0 && migrate.output.contains("SELECT nadi_audit_install_guard();"), "\(migrate.output)")
        let verify = try await NadiCLI.run(["audit", "verify"], url: asOwner)
        #expect(verify.status == 0 && verify.output.contains("guard is not installed"), "\(verify.output)")
        try await TestClient.with(url) { admin async throws in
            #expect(try await TestClient.scalar(admin, "SELECT nadi_audit_install_guard()", as: String.self) == "installed")
        }
        let after = try await NadiCLI.run(["audit", "verify"], url: asOwner)
        #expect(after.status == 0 && !after.output.contains("guard is not installed"), "\(after.output)")
        var ownerURL = url
        ownerURL.username = owner
        _ = try await TestClient.with(ownerURL) { client async throws in
            await #expect(throws: (any Error).self) { _ = try await client.query("DROP TABLE audit_event").collect() }
        }
    }

    @Test(
        "every read-only command runs against an external, migrated database",
        arguments: [
            ["coverage", "--region", "16.71"], ["coverage", "--format", "json"], ["uptime", "--since", "7d"], ["uptime", "--by", "region"],
            ["devices", "list"], ["devices", "list", "--silent"], ["export", "school-cctv", "--region", "16.71"], ["targets", "list"],
            ["token", "list"],
        ])
    func readOnlyCommands(arguments: [String]) async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let result = try await NadiCLI.run(arguments, url: NadiCLI.databaseText(url))
        #expect(result.status == 0, "\(arguments): \(result.output)")
    }

    @Test("a read command on a database that is not migrated says to run nadi migrate")
    func notMigrated() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let result = try await NadiCLI.run(["coverage"], url: NadiCLI.databaseText(url))
        #expect(result.status == 1)
        #expect(result.output.contains("run `nadi migrate` first"), "\(result.output)")
    }

    @Test("the CLI fails within seconds with the server's reason and a hint: no such database, nothing listening")
    func cliFailsFast() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let missing = try await NadiCLI.run(["coverage"], url: NadiCLI.databaseText(url, database: "no_such_db"), timeout: .seconds(30))
        #expect(missing.status == 1, "\(missing.output)")
        #expect(missing.output.contains("3D000") && missing.output.contains("does not exist"), "\(missing.output)")
        #expect(missing.output.contains("hint:"), "\(missing.output)")
        #expect(missing.took < .seconds(10))
        let port = ChildProcess.freePort()
        let nobody = try await NadiCLI.run(
            ["coverage"], url: "postgres://nadi@127.0.0.1:\(port)/nadi?sslmode=disable", timeout: .seconds(30))
        #expect(nobody.status == 1, "\(nobody.output)")
        #expect(nobody.output.contains("cannot connect to 127.0.0.1:\(port)"), "\(nobody.output)")
        #expect(!nobody.output.contains("circuitBreaker"), "\(nobody.output)")
        #expect(nobody.took < .seconds(10))
    }

    @Test("nadid exits non-zero at once on a database that does not exist")
    func daemonPermanentFailure() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let process = try ChildProcess(
            product: "nadid", arguments: ["--port", String(ChildProcess.freePort()), "--no-poll"],
            environment: ["NADI_DATABASE_URL": NadiCLI.databaseText(url, database: "no_such_db")])
        let status = await process.wait(timeout: .seconds(20))
        if status == nil { process.send(SIGKILL) }
        #expect(status == 2, "\(process.output)")
        #expect(process.output.contains("does not exist") && process.output.contains("createdb"), "\(process.output)")
    }

    @Test("nadid keeps retrying a server that is down, says so, and still stops on SIGTERM")
    func daemonWaitsAndStops() async throws {
        let port = ChildProcess.freePort()
        let process = try ChildProcess(
            product: "nadid", arguments: ["--port", String(ChildProcess.freePort()), "--no-poll"],
            environment: ["NADI_DATABASE_URL": "postgres://nadi@127.0.0.1:\(port)/nadi?sslmode=disable"])
        try await Task.sleep(for: .seconds(4))
        #expect(await process.wait(timeout: .zero) == nil, "still running, retrying: \(process.output)")
        #expect(process.output.contains("database not reachable yet; retrying"), "\(process.output)")
        let stopping = ContinuousClock.now
        process.send(SIGTERM)
        let status = await process.wait(timeout: .seconds(10))
        if status == nil { process.send(SIGKILL) }
        #expect(status == 0, "\(process.output)")
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }
}
