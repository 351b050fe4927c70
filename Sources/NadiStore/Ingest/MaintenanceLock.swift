import Logging
import PostgresNIO

/// The transaction-scoped advisory lock that lets one instance at a time sweep for silence and
/// drop old partitions, whatever number of `nadid` share the database.
enum MaintenanceLock {
    static let key: Int64 = 0x6E61_6469_0002

    /// Takes the lock for the rest of the transaction on `connection`; false when another holds it.
    static func tryTake(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        var locked = false
        for try await flag in try await connection.query("SELECT pg_try_advisory_xact_lock(\(key))", logger: logger).decode(Bool.self) {
            locked = flag
        }
        return locked
    }
}
