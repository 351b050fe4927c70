import Foundation
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    let migrations: [Migration]
    init() throws { migrations = try Migration.load(from: ResourceLocator.sqlDirectory()) }

    @Test("apply every migration to an empty database, then a second run is a no-op")
    func applyThenNoOp() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            let migrator = Migrator(client: client, logger: TestCluster.quietLogger)
            let first = try await migrator.migrate(migrations)
            #expect(first.map(\.name) == migrations.map(\.name))
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM nadi_migration", as: Int.self) == migrations.count)
            for table in [
                "region", "site", "device", "ping", "device_state", "status_interval", "target", "api_token", "unregistered_sighting",
            ] {
                #expect(try await TestClient.scalar(client, "SELECT to_regclass(\(table)) IS NOT NULL", as: Bool.self) == true)
            }
            let second = try await migrator.migrate(migrations)
            #expect(second.isEmpty)
            #expect(try await migrator.pending(migrations).isEmpty)
        }
    }

    @Test("several migrators at once apply each migration exactly once")
    func concurrentRuns() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await TestClient.with(url) { client async throws in
                        try await Migrator(client: client, logger: TestCluster.quietLogger).migrate(migrations).count
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(applied == migrations.count)
        try await TestClient.with(url) { client async throws in
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM nadi_migration", as: Int.self) == migrations.count)
        }
    }

    @Test("a migration changed after it was applied is an error, not skipped")
    func changedMigrationIsReported() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            let migrator = Migrator(client: client, logger: TestCluster.quietLogger)
            try await migrator.migrate(migrations)
            var edited = migrations
            edited[0] = Migration(version: edited[0].version, name: edited[0].name, sql: edited[0].sql + "\n-- edited\n")
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate(edited) }
            #expect(error?.description.contains("changed after it was applied") == true)
        }
    }

    @Test("a failing migration leaves nothing of itself behind")
    func failingMigrationRollsBack() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            let broken = Migration(version: 1, name: "001_broken.sql", sql: "CREATE TABLE half (x int);\nSELECT no_such_function();")
            let migrator = Migrator(client: client, logger: TestCluster.quietLogger)
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate([broken]) }
            #expect(error?.description.contains("statement 2") == true)
            #expect(try await TestClient.scalar(client, "SELECT to_regclass('half') IS NOT NULL", as: Bool.self) == false)
        }
    }
}
