import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// The facts escalation decides on: incidents announced on a channel with an escalation policy,
/// still open and unacknowledged, and the newest step already queued for them.
package struct EscalationStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// An open, unacknowledged incident announced on a channel that escalates.
    package struct Announced: Sendable {
        package var outageID: Int64
        /// The announcing channel.
        package var channelID: Int32
        package var channel: String
        package var policy: EscalationPolicy
        /// Where the steps go: the escalation target, or the announcing channel itself.
        package var targetID: Int32
        package var target: String
        /// The first message's payload.
        package var payload: String
        /// Seconds since the first message was queued (by the database's clock, the same for every nadid).
        package var elapsed: Double
        /// The newest step queued for this incident at the target (0: none).
        package var lastStep: Int
    }

    /// Every announced incident whose channel escalates, is still open and not acknowledged.
    package func announced() async throws -> [Announced] {
        var found: [Announced] = []
        for try await row in try await client.query(
            """
            SELECT a.outage_id, c.id, c.name, c.escalate_after_s, t.name, c.repeat_s, c.max_repeats, coalesce(t.id, c.id),
                   coalesce(t.name, c.name), a.payload::text, extract(epoch FROM now() - a.created_at)::float8,
                   coalesce((SELECT max(x.step) FROM alert_delivery x
                             WHERE x.outage_id = a.outage_id AND x.channel_id = coalesce(t.id, c.id) AND x.kind = 'down' AND x.step > 0), 0)
            FROM alert_delivery a
            JOIN notify_channel c ON c.id = a.channel_id AND c.disabled_at IS NULL
                                 AND (c.escalate_after_s IS NOT NULL OR c.repeat_s IS NOT NULL)
            LEFT JOIN notify_channel t ON t.id = c.escalate_to AND t.disabled_at IS NULL
            JOIN alert_outage o ON o.id = a.outage_id AND o.ended_at IS NULL
            WHERE a.kind = 'down' AND a.step = 0 AND a.state IN ('pending', 'delivered')
              AND NOT nadi_outage_acknowledged(o.device_id, o.started_at)
            ORDER BY a.outage_id
            LIMIT 10000
            """, logger: logger
        ).decode((Int64, Int32, String, Int32?, String?, Int32?, Int32, Int32, String, String, Double, Int32).self) {
            found.append(
                Announced(
                    outageID: row.0, channelID: row.1, channel: row.2,
                    policy: EscalationPolicy(
                        after: row.3.map(Int.init), target: row.4, repeatEvery: row.5.map(Int.init), maxRepeats: Int(row.6)),
                    targetID: row.7, target: row.8, payload: row.9, elapsed: row.10, lastStep: Int(row.11)))
        }
        return found
    }

    /// Steps queued but not sent whose incident was acknowledged or closed first: cancelled, so an
    /// acknowledgement stops what is already in the queue too. Returns how many.
    @discardableResult
    package func cancelAnswered() async throws -> Int {
        try await client.query(
            """
            UPDATE alert_delivery a
            SET state = 'cancelled',
                last_error = CASE WHEN o.ended_at IS NOT NULL THEN 'the incident closed first' ELSE 'acknowledged first' END
            FROM alert_outage o
            WHERE o.id = a.outage_id AND a.state = 'pending' AND a.kind = 'down' AND a.step > 0
              AND (o.ended_at IS NOT NULL OR nadi_outage_acknowledged(o.device_id, o.started_at))
            RETURNING a.id
            """, logger: logger
        ).collect().count
    }
}
