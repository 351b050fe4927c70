import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` and collects every row on the connection's event loop, without back-pressure.
    ///
    /// For results that are needed whole and may run to thousands of rows (a batch's state rows,
    /// the stored history of its late devices, a report's cause data). Read as an `AsyncSequence`,
    /// such a result stops asking for rows whenever the consuming task lags (the machine busy), and
    /// postgres-nio 1.33.2 traps in `RowStreamStateMachine.channelReadComplete` ("no read has been
    /// forwarded yet … waitingForDemand") when PostgreSQL closes the connection in that moment: a
    /// restart of the database under load crashed `nadid` (`WriterWedgeTests`). Collected here, the
    /// stream asks for more as each part arrives and never waits for a consumer. Not the default of
    /// `DatabaseClient.query`: exports and listings that can run to a whole fleet keep streaming, so
    /// their memory stays bounded.
    func collectedRows(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        return try await result.get()
    }
}

extension DatabaseClient {
    /// Runs `query` on a pooled connection and collects every row (see `PostgresConnection.collectedRows`).
    func collectedRows(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await withConnection { connection in try await connection.collectedRows(query, logger: logger) }
    }
}
