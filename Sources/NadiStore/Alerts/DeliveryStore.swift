package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// One message for one channel, and how its delivery went.
package struct AlertDelivery: Sendable, Equatable, Encodable {
    package var id: Int64
    /// The `Nadi-Event-Id`: the same on every try.
    package var eventID: String
    package var channelID: Int32
    package var channel: String
    package var kind: String
    package var payload: String
    package var state: String
    package var attempts: Int
    package var nextAttempt: Date
    package var lastStatus: Int?
    package var lastError: String?
    package var created: Date
    package var delivered: Date?
    /// The escalation step (0: the first message).
    package var step: Int = 0
    /// WhatsApp recipients already finished with this message.
    package var sentTo: [String] = []

    enum CodingKeys: String, CodingKey {
        case id, channel, kind, state, attempts
        case eventID = "event_id"
        case device
        case nextAttempt = "next_attempt_at"
        case lastStatus = "last_status"
        case lastError = "last_error"
        case created = "created_at"
        case delivered = "delivered_at"
        case step
    }

    /// The root device the message is about ("" for a test).
    package var device: String { (try? AlertPayload.decode(payload).device) ?? "" }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(channel, forKey: .channel)
        try container.encode(kind, forKey: .kind)
        try container.encode(device, forKey: .device)
        try container.encode(state, forKey: .state)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(Timestamp.format(nextAttempt), forKey: .nextAttempt)
        try container.encode(lastStatus, forKey: .lastStatus)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(Timestamp.format(created), forKey: .created)
        try container.encode(delivered.map(Timestamp.format), forKey: .delivered)
        try container.encode(step, forKey: .step)
    }
}

/// The messages waiting to go out and the delivery log.
package struct DeliveryStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// A message to queue.
    package struct NewDelivery: Sendable {
        package var channelID: Int32
        package var outageID: Int64?
        package var payload: AlertPayload
        /// 0 for the first message; 1, 2, … for escalations and reminders.
        package var step: Int

        package init(channelID: Int32, outageID: Int64?, payload: AlertPayload, step: Int = 0) {
            self.channelID = channelID
            self.outageID = outageID
            self.payload = payload
            self.step = step
        }
    }

    /// Queues `deliveries`; one per channel, outage, kind and step (a second is dropped). Returns how many were new.
    @discardableResult
    package func enqueue(_ deliveries: [NewDelivery]) async throws -> Int {
        guard !deliveries.isEmpty else { return 0 }
        let payloads = try deliveries.map { try $0.payload.json() }
        let rows = try await client.query(
            """
            INSERT INTO alert_delivery (channel_id, outage_id, kind, payload, step)
            SELECT * FROM unnest(\(deliveries.map(\.channelID))::int4[], \(NullableArray(deliveries.map(\.outageID)))::int8[],
                                 \(deliveries.map(\.payload.kind.rawValue))::text[], \(payloads)::jsonb[], \(deliveries.map { Int32($0.step) })::int4[])
            ON CONFLICT ON CONSTRAINT alert_delivery_once DO NOTHING
            RETURNING id
            """, logger: logger
        ).collect()
        return rows.count
    }

    private static let columns = """
        a.id, a.event_id::text, a.channel_id, c.name, a.kind, a.payload::text, a.state, a.attempts, a.next_attempt_at, a.last_status,
        a.last_error, a.created_at, a.delivered_at, a.step, a.sent_to
        """
    private typealias Columns = (
        Int64, String, Int32, String, String, String, String, Int32, PostgresTimestamp, Int32?, String?, PostgresTimestamp,
        PostgresTimestamp?, Int32, [String]
    )

    private static func delivery(_ c: Columns) -> AlertDelivery {
        AlertDelivery(
            id: c.0, eventID: c.1, channelID: c.2, channel: c.3, kind: c.4, payload: c.5, state: c.6, attempts: Int(c.7),
            nextAttempt: c.8.date,
            lastStatus: c.9.map(Int.init), lastError: c.10, created: c.11.date, delivered: c.12?.date, step: Int(c.13), sentTo: c.14)
    }

    /// The channels (ids) that have a message due now.
    package func channelsWithDue(now: Date) async throws -> Set<Int32> {
        var ids = Set<Int32>()
        for try await id in try await client.query(
            "SELECT DISTINCT channel_id FROM alert_delivery WHERE state = 'pending' AND next_attempt_at <= \(now.pg)", logger: logger
        ).decode(Int32.self) { ids.insert(id) }
        return ids
    }

    /// A channel's messages due now, oldest first.
    package func due(channel: Int32, now: Date, limit: Int = 20) async throws -> [AlertDelivery] {
        var found: [AlertDelivery] = []
        for try await row in try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM alert_delivery a JOIN notify_channel c ON c.id = a.channel_id
            WHERE a.channel_id = \(channel) AND a.state = 'pending' AND a.next_attempt_at <= \(now.pg)
            ORDER BY a.id LIMIT \(limit)
            """, logger: logger
        ).decode(Columns.self) { found.append(Self.delivery(row)) }
        return found
    }

    /// Records one try: delivered, to be tried again at `retryAt`, or given up (`retryAt` nil and not delivered).
    /// A step cancelled while its try was under way stays cancelled.
    package func record(id: Int64, delivered: Bool, status: Int?, error: String?, retryAt: Date?, done: [String] = []) async throws {
        let state = delivered ? "delivered" : (retryAt == nil ? "failed" : "pending")
        _ = try await client.query(
            """
            UPDATE alert_delivery SET attempts = attempts + 1, state = \(state), last_status = \(status.map(Int32.init)),
                   sent_to = sent_to || \(done)::text[],
                   last_error = \(error.map { String($0.prefix(500)) }), next_attempt_at = coalesce(\(retryAt?.pg), next_attempt_at),
                   delivered_at = CASE WHEN \(delivered) THEN now() END
            WHERE id = \(id) AND state = 'pending'
            """, logger: logger)
    }

    /// Logs a test message that `nadi notify test` sent itself, with its outcome.
    package func recordTest(channel: Int32, payload: AlertPayload, outcome: (delivered: Bool, status: Int?, detail: String?)) async throws {
        _ = try await client.query(
            """
            INSERT INTO alert_delivery (channel_id, kind, payload, state, attempts, last_status, last_error, delivered_at)
            VALUES (\(channel), 'test', \(try payload.json())::jsonb, \(outcome.delivered ? "delivered" : "failed"), 1,
                    \(outcome.status.map(Int32.init)), \(outcome.detail.map { String($0.prefix(500)) }), CASE WHEN \(outcome.delivered) THEN now() END)
            """, logger: logger)
    }

    /// The newest deliveries, of one channel or all.
    package func log(channel: String?, limit: Int = 50) async throws -> [AlertDelivery] {
        var found: [AlertDelivery] = []
        for try await row in try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM alert_delivery a JOIN notify_channel c ON c.id = a.channel_id
            WHERE \(channel ?? "") = '' OR c.name = \(channel ?? "")
            ORDER BY a.id DESC LIMIT \(limit)
            """, logger: logger
        ).decode(Columns.self) { found.append(Self.delivery(row)) }
        return found
    }

    /// How many messages wait, and how long the oldest has waited (seconds; 0 when none).
    package func backlog(now: Date) async throws -> (pending: Int, oldestSeconds: Double) {
        for try await (count, oldest) in try await client.query(
            "SELECT count(*)::int8, min(created_at) FROM alert_delivery WHERE state = 'pending'", logger: logger
        ).decode((Int64, PostgresTimestamp?).self) {
            return (Int(count), oldest.map { max(0, now.timeIntervalSince($0.date)) } ?? 0)
        }
        return (0, 0)
    }

    /// Deletes log entries older than `before` that are done.
    package func prune(before: Date) async throws {
        _ = try await client.query("DELETE FROM alert_delivery WHERE state <> 'pending' AND created_at < \(before.pg)", logger: logger)
    }
}
