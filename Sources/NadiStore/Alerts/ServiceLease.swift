package import Logging
import PostgresNIO

/// Work that one nadid does at a time across instances (the notifier): the holder of a named
/// lease row renews it; another instance takes over once it has expired. (A row, not a session
/// advisory lock: no connection is held for good, and a killed session or a database restart does
/// not leave two holders or none for longer than the lease.)
package struct ServiceLease: Sendable {
    let client: DatabaseClient
    let logger: Logger
    package let name: String
    package let seconds: Int

    package init(client: DatabaseClient, name: String, seconds: Int, logger: Logger) {
        self.client = client
        self.name = name
        self.seconds = seconds
        self.logger = logger
    }

    /// Takes or renews the lease for `instance`; true while it holds it.
    package func hold(instance: String) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO service_lease AS l (name, holder, expires_at) VALUES (\(name), \(instance), now() + make_interval(secs => \(seconds)))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at < now()
            RETURNING holder
            """, logger: logger
        ).collect()
        return !rows.isEmpty
    }

    /// Gives the lease up (graceful shutdown), so another instance need not wait for it to expire.
    package func release(instance: String) async throws {
        _ = try await client.query("DELETE FROM service_lease WHERE name = \(name) AND holder = \(instance)", logger: logger)
    }
}
