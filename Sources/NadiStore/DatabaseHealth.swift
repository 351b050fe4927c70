package import Logging
import PostgresNIO

/// What `/readyz` asks the database beyond "are you there".
package struct DatabaseHealth: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// True when the database refuses writes (`transaction_read_only` is on: a standby, or
    /// `default_transaction_read_only`).
    package func isReadOnly() async throws -> Bool {
        for try await flag in try await client.query("SELECT current_setting('transaction_read_only') = 'on'", logger: logger).decode(
            Bool.self)
        {
            return flag
        }
        return false
    }
}
