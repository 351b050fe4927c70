package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// The notifier's reading of the outbox: events after its cursor become outages (`OutageLedger`),
/// exactly once — the cursor moves in the same transaction.
package struct OutageStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Reads up to `limit` events after the cursor into outages; returns how many it read.
    @discardableResult
    package func processEvents(limit: Int = 5000) async throws -> Int {
        try await client.transaction(logger: logger) { connection -> Int in
            var cursor: Int64 = 0
            for try await value in try await connection.query(
                "SELECT last_event FROM notifier_cursor WHERE id = 1 FOR UPDATE", logger: logger
            ).decode(Int64.self) { cursor = value }
            var events: [OutageLedger.Event] = []
            for try await (id, device, to, reason, at, created) in try await connection.query(
                "SELECT id, device_id, to_status, reason, at, created_at FROM alert_event WHERE id > \(cursor) ORDER BY id LIMIT \(limit)",
                logger: logger
            ).decode((Int64, Int64, String, String?, PostgresTimestamp, PostgresTimestamp).self) {
                events.append(
                    OutageLedger.Event(
                        id: id, deviceID: device, to: DeviceStatus(rawValue: to) ?? .down, reason: reason, at: at.date, known: created.date)
                )
            }
            guard let last = events.last?.id else { return 0 }
            var open: [OutageLedger.Key: (id: Int64, started: Date)] = [:]
            for try await (id, device, problem, started) in try await connection.query(
                """
                SELECT id, device_id, problem, started_at FROM alert_outage
                WHERE ended_at IS NULL AND device_id = ANY(\(Array(Set(events.map(\.deviceID)))))
                """, logger: logger
            ).decode((Int64, Int64, String, PostgresTimestamp).self) {
                open[OutageLedger.Key(device, OutageProblem(rawValue: problem) ?? .down)] = (id, started.date)
            }
            var ledger = OutageLedger(open: open)
            ledger.apply(events)
            if !ledger.closed.isEmpty {
                _ = try await connection.query(
                    """
                    UPDATE alert_outage o SET ended_at = v.t
                    FROM unnest(\(Array(ledger.closed.keys))::bigint[], \(Array(ledger.closed.values).map(\.pg))::timestamptz[]) AS v(id, t)
                    WHERE o.id = v.id
                    """, logger: logger)
            }
            if !ledger.opened.isEmpty {
                _ = try await connection.query(
                    """
                    INSERT INTO alert_outage (device_id, problem, started_at, ended_at, known_at)
                    SELECT * FROM unnest(\(ledger.opened.map(\.deviceID))::bigint[], \(ledger.opened.map(\.problem.rawValue))::text[],
                                         \(ledger.opened.map(\.started.pg))::timestamptz[],
                                         \(NullableArray(ledger.opened.map { $0.ended?.pg }))::timestamptz[],
                                         \(ledger.opened.map(\.known.pg))::timestamptz[])
                    """, logger: logger)
            }
            _ = try await connection.query("UPDATE notifier_cursor SET last_event = \(last) WHERE id = 1", logger: logger)
            return events.count
        }
    }

    /// Whether events wait after the cursor (one cheap query: a round with nothing new reads no more).
    /// The newest id against the cursor, one step down the primary key; `EXISTS (… id > cursor)`
    /// was planned as a sequential scan that read every event when none was new (38 ms at 245,000).
    package func hasNewEvents() async throws -> Bool {
        for try await waiting in try await client.query(
            "SELECT coalesce((SELECT max(id) FROM alert_event) > (SELECT last_event FROM notifier_cursor WHERE id = 1), false)",
            logger: logger
        ).decode(Bool.self) { return waiting }
        return false
    }

    /// Events committed but not read by the notifier yet.
    package func pendingEvents() async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*)::int8 FROM alert_event WHERE id > (SELECT last_event FROM notifier_cursor WHERE id = 1)", logger: logger
        ).decode(Int64.self) { return Int(count) }
        return 0
    }

    /// An open outage that some channel has not heard of although its `min_down` has passed.
    package struct Candidate: Sendable {
        package var outageID: Int64
        package var deviceID: Int64
        package var device: String
        package var name: String
        package var kind: String
        package var region: String
        /// When the device's current stretch of not being operational began (its state's `since`;
        /// later than the outage's start when late pings re-cut the history).
        package var started: Date
        package var channelID: Int32
        package var channel: String
        /// `picture` for a camera whose picture went bad; its problem is `reason`.
        package var problem: OutageProblem
        /// The device's current reason.
        package var reason: String?
    }

    /// Open outages that began, and were known, at least a matching channel's `min_down` ago (region
    /// subtree, kinds), without a `down` message for that channel yet.
    package func downCandidates(now: Date) async throws -> [Candidate] {
        var candidates: [Candidate] = []
        for try await row in try await client.query(
            """
            SELECT o.id, d.id, d.external_id, d.name, d.kind, d.region::text, greatest(o.started_at, coalesce(s.since, o.started_at)), c.id, c.name,
                   o.problem, s.reason
            FROM alert_outage o JOIN device d ON d.id = o.device_id LEFT JOIN device_state s ON s.device_id = d.id
            JOIN notify_channel c ON c.disabled_at IS NULL AND NOT c.escalation_only AND (c.region IS NULL OR d.region <@ c.region)
                                 AND (c.kinds IS NULL OR d.kind = ANY(c.kinds))
            WHERE o.ended_at IS NULL AND greatest(o.started_at, o.known_at) <= \(now.pg)::timestamptz - make_interval(secs => c.min_down_s)
              AND NOT EXISTS (SELECT 1 FROM alert_delivery a WHERE a.channel_id = c.id AND a.outage_id = o.id AND a.kind = 'down')
            ORDER BY o.id
            LIMIT 10000
            """, logger: logger
        ).decode((Int64, Int64, String, String, String, String, PostgresTimestamp, Int32, String, String, String?).self) {
            candidates.append(
                Candidate(
                    outageID: row.0, deviceID: row.1, device: row.2, name: row.3, kind: row.4, region: row.5, started: row.6.date,
                    channelID: row.7, channel: row.8, problem: OutageProblem(rawValue: row.9) ?? .down, reason: row.10))
        }
        return candidates
    }

    /// Closed outages announced (or being announced) to a channel that is still enabled, without
    /// their recovery message yet: the `down` payload, and when the outage ended.
    /// `affected` counts the devices the outbox recorded as down because of this root while it was down.
    package func recoveryCandidates() async throws -> [(outageID: Int64, channelID: Int32, down: String, ended: Date, affected: Int)] {
        var found: [(Int64, Int32, String, Date, Int64)] = []
        for try await row in try await client.query(
            """
            SELECT DISTINCT ON (a.channel_id, o.id) o.id, a.channel_id, a.payload::text, o.ended_at,
                   (SELECT count(DISTINCT e.device_id) FROM alert_event e
                    WHERE e.root_id = o.device_id AND e.cause = 'upstream' AND e.at >= o.started_at AND e.at <= o.ended_at)::int8
            FROM alert_delivery a JOIN alert_outage o ON o.id = a.outage_id
            JOIN notify_channel c ON c.id = a.channel_id AND c.disabled_at IS NULL
            WHERE a.kind = 'down' AND a.state IN ('pending', 'delivered') AND o.ended_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM alert_delivery r WHERE r.channel_id = a.channel_id AND r.outage_id = o.id AND r.kind = 'recovery')
            ORDER BY a.channel_id, o.id, a.step
            LIMIT 10000
            """, logger: logger
        ).decode((Int64, Int32, String, PostgresTimestamp, Int64).self) { found.append((row.0, row.1, row.2, row.3.date, row.4)) }
        return found.map { (outageID: $0.0, channelID: $0.1, down: $0.2, ended: $0.3, affected: Int($0.4)) }
    }

    /// Deletes what is long done: events the notifier read and outages closed before `before`.
    package func prune(before: Date) async throws {
        _ = try await client.query(
            """
            DELETE FROM alert_event WHERE created_at < \(before.pg) AND id <= (SELECT last_event FROM notifier_cursor WHERE id = 1)
            """, logger: logger)
        _ = try await client.query("DELETE FROM alert_outage WHERE ended_at < \(before.pg)", logger: logger)
    }
}
