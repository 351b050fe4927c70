package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A monthly report sent to a channel on a day of the month.
package struct ReportSchedule: Sendable, Equatable, Encodable {
    package var id: Int32
    package var channelID: Int32
    package var channel: String
    package var region: String
    package var rule: ReportScheduleRule
    /// `pdf`, `html` or `csv`.
    package var format: String
    package var createdAt: Date
    /// The newest month sent (or being sent), and how that went.
    package var lastMonth: String?
    package var lastState: String?
    package var lastError: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, region, day, at, format
        case createdAt = "created_at"
        case lastMonth = "last_month"
        case lastState = "last_state"
        case lastError = "last_error"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(channel, forKey: .channel)
        try container.encode(region, forKey: .region)
        try container.encode(rule.day, forKey: .day)
        try container.encode(rule.time, forKey: .at)
        try container.encode(format, forKey: .format)
        try container.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try container.encode(lastMonth, forKey: .lastMonth)
        try container.encode(lastState, forKey: .lastState)
        try container.encode(lastError, forKey: .lastError)
    }
}

/// One scheduled send of one month's report, claimed once.
package struct ReportDispatch: Sendable {
    package var schedule: ReportSchedule
    package var month: ReportMonth
    package var attempts: Int
    package var created: Date
}

/// Report schedules and their dispatches: a dispatch row per schedule and month is inserted before
/// anything is built, so a restart or a second nadid never sends a month twice.
package struct ReportScheduleStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// A schedule that cannot be added, with the reason.
    package struct Refused: Error, CustomStringConvertible {
        package let description: String
    }

    private static let columns = """
        s.id, s.channel_id, c.name, s.region::text, s.day, s.at_minute, s.format, s.created_at,
        d.month, d.state, d.last_error
        """
    private typealias Columns = (Int32, Int32, String, String, Int32, Int32, String, PostgresTimestamp, String?, String?, String?)
    private static let from = """
        FROM report_schedule s JOIN notify_channel c ON c.id = s.channel_id
        LEFT JOIN LATERAL (SELECT month, state, last_error FROM report_dispatch x WHERE x.schedule_id = s.id ORDER BY month DESC LIMIT 1) d ON true
        """

    private static func schedule(_ c: Columns) -> ReportSchedule {
        ReportSchedule(
            id: c.0, channelID: c.1, channel: c.2, region: c.3, rule: ReportScheduleRule(day: Int(c.4), atMinute: Int(c.5)), format: c.6,
            createdAt: c.7.date, lastMonth: c.8, lastState: c.9, lastError: c.10)
    }

    /// Adds a monthly report of `region` for the channel named `channel`.
    package func add(channel: String, region: RegionCode, rule: ReportScheduleRule, format: String) async throws -> ReportSchedule {
        let known = try await client.query("SELECT 1 FROM region WHERE code = \(region.rawValue)::ltree", logger: logger).collect()
        guard !known.isEmpty else { throw Refused(description: "unknown region \(region.rawValue)") }
        do {
            let rows = try await client.write(
                """
                INSERT INTO report_schedule (channel_id, region, day, at_minute, format)
                SELECT c.id, \(region.rawValue)::ltree, \(Int32(rule.day)), \(Int32(rule.atMinute)), \(format)
                FROM notify_channel c WHERE c.name = \(channel)
                RETURNING id
                """, logger: logger)
            guard let row = rows.first else { throw Refused(description: "no channel named '\(channel)' (nadi notify list)") }
            let id = try row.decode(Int32.self)
            guard let schedule = try await list().first(where: { $0.id == id }) else {
                throw Refused(description: "the schedule was not stored")
            }
            return schedule
        } catch let error where PostgresErrorText.code(error) == .uniqueViolation {
            throw Refused(
                description: "channel '\(channel)' already gets the monthly report of \(region.rawValue) (nadi notify schedule list)")
        }
    }

    /// Every schedule, with its newest dispatch.
    package func list() async throws -> [ReportSchedule] {
        var found: [ReportSchedule] = []
        for try await row in try await client.query(
            "SELECT \(unescaped: Self.columns) \(unescaped: Self.from) ORDER BY s.id", logger: logger
        ).decode(Columns.self) { found.append(Self.schedule(row)) }
        return found
    }

    /// Removes schedule `id`; false when there is none.
    package func remove(id: Int32) async throws -> Bool {
        !(try await client.write("DELETE FROM report_schedule WHERE id = \(id) RETURNING id", logger: logger).isEmpty)
    }

    /// Claims the months due at `now` (one dispatch row per schedule and month, whoever asks first);
    /// returns how many were new.
    @discardableResult
    package func claimDue(now: Date, zone: TimeZone) async throws -> Int {
        var ids: [Int32] = []
        var months: [String] = []
        for schedule in try await list() {
            guard let month = schedule.rule.dueMonth(now: now, created: schedule.createdAt, zone: zone) else { continue }
            ids.append(schedule.id)
            months.append(month.description)
        }
        guard !ids.isEmpty else { return 0 }
        return try await client.query(
            """
            INSERT INTO report_dispatch (schedule_id, month)
            SELECT * FROM unnest(\(ids)::int4[], \(months)::text[])
            ON CONFLICT (schedule_id, month) DO NOTHING
            RETURNING schedule_id
            """, logger: logger
        ).collect().count
    }

    /// Dispatches waiting to be sent at `now`, oldest first.
    package func pending(now: Date) async throws -> [ReportDispatch] {
        let schedules = Dictionary(try await list().map { ($0.id, $0) }) { a, _ in a }
        var found: [ReportDispatch] = []
        for try await (id, month, attempts, created) in try await client.query(
            """
            SELECT schedule_id, month, attempts, created_at FROM report_dispatch
            WHERE state = 'pending' AND next_attempt_at <= \(now.pg) ORDER BY created_at LIMIT 20
            """, logger: logger
        ).decode((Int32, String, Int32, PostgresTimestamp).self) {
            guard let schedule = schedules[id], let month = ReportMonth(month) else { continue }
            found.append(ReportDispatch(schedule: schedule, month: month, attempts: Int(attempts), created: created.date))
        }
        return found
    }

    /// Records one try of a dispatch, as `DeliveryStore.record` does for alerts.
    package func record(_ dispatch: ReportDispatch, delivered: Bool, status: Int?, error: String?, retryAt: Date?) async throws {
        let state = delivered ? "delivered" : (retryAt == nil ? "failed" : "pending")
        _ = try await client.query(
            """
            UPDATE report_dispatch SET attempts = attempts + 1, state = \(state), last_status = \(status.map(Int32.init)),
                   last_error = \(error.map { String($0.prefix(500)) }), next_attempt_at = coalesce(\(retryAt?.pg), next_attempt_at),
                   delivered_at = CASE WHEN \(delivered) THEN now() END
            WHERE schedule_id = \(dispatch.schedule.id) AND month = \(dispatch.month.description) AND state = 'pending'
            """, logger: logger)
    }
}
