import Logging
import PostgresNIO

extension DatabaseClient {
    /// `withTransaction`, but an error thrown by `body` comes out as itself (postgres-nio wraps it in
    /// `PostgresTransactionError`), so callers can match `ImportError` and friends.
    func transaction<T>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            if let beginError = error.beginError { throw beginError }
            if let commitError = error.commitError { throw commitError }
            throw error
        }
    }
}

extension DatabaseClient {
    /// One statement that changes an audited table, in a transaction of its own so the audit
    /// trail learns who made it (`AuditActor`); returns the rows it returned.
    func write(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await transaction(logger: logger) { connection in try await connection.query(query, logger: logger).collect() }
    }
}
