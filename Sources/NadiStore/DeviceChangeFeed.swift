package import Logging
import PostgresNIO

/// The external ids of devices whose region, kind or interval changed, as the database announces
/// them (`SQL/005_device_change_notify.sql`): LISTEN on one connection of the pool, reconnecting
/// after a failure.
package struct DeviceChangeFeed: Sendable {
    package static let channel = "nadi_device_changed"

    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Calls `changed` with each announced id until the task is cancelled; `connected` each time the
    /// listener (re)starts, since announcements missed while disconnected are lost.
    package func follow(connected: @Sendable () -> Void, changed: @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        connected()
                        for try await notification in notifications { changed(notification.payload) }
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("device change listener lost; reconnecting", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }
}
