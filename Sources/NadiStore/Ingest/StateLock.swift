import Logging
import PostgresNIO

/// The transaction-scoped advisory lock held by everything that writes device state — a batch from
/// reading `device_state` to its commit, the silence sweeper, a last-seen flush — so that several
/// `nadid` on one database never cut a device's history from the same stale view (schema part 12).
///
/// One lock rather than one per device: a row lock per device costs a WAL record per device per
/// batch, and per-device advisory locks would outgrow PostgreSQL's lock table on a 20,000-ping
/// batch. The pings are copied before it is taken, so
/// instances still insert in parallel; only the state step and the commit take turns.
enum StateLock {
    static let key: Int64 = 0x6E61_6469_0003

    /// Waits for the lock and holds it until the transaction on `connection` ends.
    static func take(on connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: logger)
    }
}
