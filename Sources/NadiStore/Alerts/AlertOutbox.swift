import Foundation
import Logging
import NadiCore
import PostgresNIO

/// Writes the outbox of alerts: one `alert_event` row per committed state change, inside the
/// transaction that makes the change (the ingest writer's or the silence sweeper's), with the
/// device's cause and root at that moment. Nothing is sent from here: the notifier reads the rows
/// after the commit, so a crash between the two loses nothing.
struct AlertOutbox: Sendable {
    /// One device whose state the transaction changes.
    typealias Change = StatusChange

    let logger: Logger

    /// Inserts an event per change. Call it after `device_state` holds the new states, so that the
    /// causes see every change of the same transaction (a link and the cameras behind it together).
    /// A device deleted while the batch waited for the state lock gets no event (schema part 16);
    /// each device is looked up by key (a scalar subquery: as `EXISTS` it was planned as a hash
    /// join over every device).
    func record(_ changes: [Change], now: Date, on connection: PostgresConnection) async throws {
        guard !changes.isEmpty else { return }
        let down = changes.filter { !$0.to.isOperational && $0.to != .unknown }.map(\.deviceID)
        let causes = try await CurrentCauses.load(for: down, now: now, on: connection, logger: logger)
        _ = try await connection.query(
            """
            INSERT INTO alert_event (device_id, from_status, to_status, at, reason, cause, root_id)
            SELECT * FROM unnest(\(changes.map(\.deviceID))::bigint[], \(changes.map(\.from.rawValue))::text[],
                                 \(changes.map(\.to.rawValue))::text[], \(changes.map(\.at.pg))::timestamptz[],
                                 \(NullableArray(changes.map(\.reason)))::text[],
                                 \(NullableArray(changes.map { causes[$0.deviceID]?.cause.rawValue }))::text[],
                                 \(NullableArray(changes.map { causes[$0.deviceID]?.root }))::bigint[])
                     AS v(device_id, from_status, to_status, at, reason, cause, root_id)
            WHERE (SELECT true FROM device d WHERE d.id = v.device_id)
            """, logger: logger)
    }
}

/// The causes of non-operational devices as of now, by NadiCore's rule (`CauseAttribution`), from
/// the current states, upstream links and maintenance windows of the devices and their ancestors.
enum CurrentCauses {
    /// Chains deeper than this are cut, as `CauseAttribution` cuts them.
    static let maxDepth = 32

    static func load(
        for devices: [Int64], now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int64: (cause: Cause, root: Int64)] {
        guard !devices.isEmpty else { return [:] }
        var runs: [Int64: [StateRun]] = [:]
        var links: [Int64: [CauseAttribution.Link]] = [:]
        var maintenance: [Int64: [Range<Date>]] = [:]
        let always = Date.distantPast
        for try await (id, upstream, status, inWindow) in try await connection.execute(
            ChainStatement(devices: devices, now: PostgresTimestamp(now)), logger: logger)
        {
            if let status = DeviceStatus(rawValue: status), status != .unknown {
                runs[id] = [StateRun(status: status, start: always)]
            }
            if let upstream { links[id] = [CauseAttribution.Link(upstream: upstream, from: always, to: nil)] }
            if inWindow { maintenance[id] = [always..<Date.distantFuture] }
        }
        let attribution = CauseAttribution(runs: runs, links: links, maintenance: maintenance, now: .distantFuture)
        var causes: [Int64: (cause: Cause, root: Int64)] = [:]
        for device in devices {
            if let found = attribution.cause(device, at: now) { causes[device] = found }
        }
        return causes
    }

    /// The devices, their ancestors up to `maxDepth`, each one's state and whether a maintenance
    /// window covers it now. Prepared once per connection: planning this query took 2.4 of its
    /// 3.8 ms for 60 devices, once per batch with a device going down. Every row is found by key
    /// (lateral subqueries kept apart by `OFFSET 0`): joined plainly, the generic plan hashed the
    /// whole `device` table at each step of the chain.
    struct ChainStatement: PostgresPreparedStatement {
        typealias Row = (Int64, Int64?, String, Bool)
        static let sql = """
            WITH RECURSIVE chain(node, depth) AS (
                SELECT unnest($1::bigint[]), 0
                UNION
                SELECT u.up, c.depth + 1 FROM chain c
                CROSS JOIN LATERAL (SELECT d.upstream_id AS up FROM device d WHERE d.id = c.node OFFSET 0) u
                WHERE u.up IS NOT NULL AND c.depth < \(CurrentCauses.maxDepth)
            )
            SELECT d.id, d.upstream_id, coalesce(s.status, 'unknown'),
                   EXISTS (SELECT 1 FROM maintenance_window w
                           WHERE w.cancelled_at IS NULL AND w.starts_at <= $2 AND w.ends_at > $2
                             AND (w.device_id = d.id OR (w.region IS NOT NULL AND d.region <@ w.region AND (w.kind IS NULL OR w.kind = d.kind))))
            FROM (SELECT DISTINCT node FROM chain) c
            CROSS JOIN LATERAL (SELECT d.id, d.upstream_id, d.region, d.kind FROM device d WHERE d.id = c.node OFFSET 0) d
            LEFT JOIN LATERAL (SELECT s.status FROM device_state s WHERE s.device_id = d.id OFFSET 0) s ON true
            """

        var devices: [Int64]
        var now: PostgresTimestamp

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(devices)
            bindings.append(now)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
