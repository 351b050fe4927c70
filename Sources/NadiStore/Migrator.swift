import Crypto
package import Foundation
package import Logging
import NadiCore
import PostgresNIO

/// One numbered migration file from `SQL/`.
package struct Migration: Sendable, Equatable {
    /// The number the file name starts with.
    package var version: Int
    /// The file name, e.g. `001_regions_sites_devices.sql`.
    package var name: String
    /// The file's text.
    package var sql: String
    /// Hex SHA-256 of the text: a changed file is an error, never silently skipped.
    package var checksum: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads `NNN_name.sql` files from `directory`, ordered by number.
    package static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for name in names {
            guard let version = Int(name.prefix { $0.isNumber }) else {
                throw MigrationError.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.name, b.name)
        }
        return migrations
    }
}

/// Applies pending migrations, each in its own transaction, under a PostgreSQL advisory lock so that
/// several `nadi migrate` / `nadid` starts at once are safe.
package struct Migrator: Sendable {
    static let advisoryLockKey: Int64 = 0x6E61_6469_0001  // "nadi" 1

    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Applies what is pending; returns the migrations applied by this call (empty when up to date).
    @discardableResult
    package func migrate(_ migrations: [Migration]) async throws -> [Migration] {
        try await client.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await apply(migrations, on: connection)
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The migrations not applied yet; throws when an applied one changed.
    package func pending(_ migrations: [Migration]) async throws -> [Migration] {
        try await client.withConnection { connection in
            let applied = try await appliedChecksums(on: connection)
            return try Self.unapplied(migrations, applied: applied)
        }
    }

    private func apply(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [Migration] {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS nadi_migration (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let applied = try await appliedChecksums(on: connection)
        let todo = try Self.unapplied(migrations, applied: applied)
        for migration in todo {
            let started = ContinuousClock.now
            _ = try await connection.query("BEGIN", logger: logger)
            do {
                for (number, statement) in SQLScript.statements(in: migration.sql).enumerated() {
                    do {
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch {
                        throw MigrationError.statementFailed(
                            migration.name, statement: number + 1, reason: PostgresErrorText.describe(error))
                    }
                }
                _ = try await connection.query(
                    "INSERT INTO nadi_migration (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger)
                _ = try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            logger.info(
                "migration applied",
                metadata: ["migration.name": "\(migration.name)", "migration.duration": "\(ContinuousClock.now - started)"])
        }
        return todo
    }

    private func appliedChecksums(on connection: PostgresConnection) async throws -> [Int: (String, String)] {
        let exists = try await connection.query("SELECT to_regclass('nadi_migration') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await flag in exists.decode(Bool.self) { tableExists = flag }
        guard tableExists else { return [:] }
        var applied: [Int: (String, String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM nadi_migration", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        return applied
    }

    static func unapplied(_ migrations: [Migration], applied: [Int: (String, String)]) throws -> [Migration] {
        let known = Set(migrations.map(\.version))
        if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }), let entry = applied[unknown] {
            throw MigrationError.unknownApplied(entry.0)
        }
        for migration in migrations {
            if let (_, checksum) = applied[migration.version], checksum != migration.checksum {
                throw MigrationError.changedAfterApply(migration.name)
            }
        }
        return migrations.filter { applied[$0.version] == nil }
    }
}

/// A migration problem, said so an operator knows what to do.
package struct MigrationError: Error, CustomStringConvertible {
    package let description: String

    static func badFileName(_ name: String) -> Self {
        .init(description: "migration file '\(name)' must start with its number, e.g. 004_add_index.sql")
    }
    static func duplicateVersion(_ a: String, _ b: String) -> Self {
        .init(description: "migrations '\(a)' and '\(b)' have the same number")
    }
    static func changedAfterApply(_ name: String) -> Self {
        .init(
            description:
                "migration '\(name)' was changed after it was applied to this database; restore the applied text and add a new numbered migration instead"
        )
    }
    static func unknownApplied(_ name: String) -> Self {
        .init(description: "the database has migration '\(name)' applied, which this version of nadi does not know; upgrade nadi")
    }
    static func statementFailed(_ name: String, statement: Int, reason: String) -> Self {
        .init(description: "migration '\(name)' failed at statement \(statement): \(reason); nothing of it was applied")
    }
}
