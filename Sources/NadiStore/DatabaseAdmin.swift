import Foundation
package import Logging
package import PostgresNIO

/// Server-level statements, run on a connection to the maintenance database (`postgres`).
package enum DatabaseAdmin {
    /// Creates the database `name` unless it exists. `name` is a trusted identifier (Nadi's own).
    package static func ensureDatabase(_ name: String, on connection: PostgresConnection, logger: Logger) async throws {
        var exists = false
        for try await _ in try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger) { exists = true }
        if !exists {
            _ = try await connection.query(
                "CREATE DATABASE \(unescaped: "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"")", logger: logger)
        }
    }
}
