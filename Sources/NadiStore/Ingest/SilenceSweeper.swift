import Foundation
import Logging
import NadiCore
import PostgresNIO

/// Opens a silent interval for every device whose newest ping is older than miss count × interval
/// (plus grace), backdated to one interval after that ping — DESIGN.md's "silence". One instance
/// at a time (the maintenance lock). Later pings re-cut these intervals (`StateUpdater`). Each
/// device silenced is an outbox event in the same transaction (`AlertOutbox`).
struct SilenceSweeper: Sendable {
    let client: DatabaseClient
    let missCount: Int
    let grace: TimeInterval
    let logger: Logger

    /// The devices a sweep silenced, and how `device_state_change` moved around its update (nil
    /// when it changed nothing).
    struct Outcome: Sendable {
        var silenced: [Int64] = []
        var step: DeviceStateCache.EpochStep?
    }

    /// Sweeps as of `now`. The devices that look silent are found first without the state lock (a
    /// scan of every device's state: ~100 ms at 100,000 devices, which under the lock stalled the
    /// ingest writer's state step every sweep); the lock is taken only when there are some, and
    /// they are checked again under it, so a ping committed in between still counts.
    @discardableResult
    func sweep(now: Date) async throws -> Outcome {
        try await client.transaction(logger: logger) { connection -> Outcome in
            guard try await MaintenanceLock.tryTake(on: connection, logger: logger) else { return Outcome() }
            let suspects = try await silent(among: nil, now: now, on: connection)
            guard !suspects.isEmpty else { return Outcome() }
            try await StateLock.take(on: connection, logger: logger)
            let before = try await DeviceStateEpoch.read(on: connection, logger: logger)
            let found = try await silent(among: suspects.map(\.id), now: now, on: connection)
            let ids = found.map(\.id)
            let seen = found.map(\.newest)
            let starts = found.map(\.start)
            let previous = found.map(\.status)
            guard !ids.isEmpty else { return Outcome() }
            _ = try await connection.query(
                """
                UPDATE status_interval i SET ended_at = v.t
                FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[]) AS v(id, t)
                WHERE i.device_id = v.id AND i.ended_at IS NULL
                """, logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO status_interval (device_id, status, reason, started_at)
                SELECT id, 'down', 'silent', t FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[]) AS v(id, t)
                """, logger: logger)
            _ = try await connection.query(
                """
                UPDATE device_state s SET status = 'down', reason = 'silent', since = v.t, last_seen = GREATEST(s.last_seen, v.seen)
                FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[], \(seen)::timestamptz[]) AS v(id, t, seen) WHERE s.device_id = v.id
                """, logger: logger)
            let changes = zip(ids, zip(starts, previous)).compactMap { id, entry -> AlertOutbox.Change? in
                entry.1 == .down
                    ? nil : AlertOutbox.Change(deviceID: id, from: entry.1, to: .down, at: entry.0.date, reason: StatusReason.silent)
            }
            try await AlertOutbox(logger: logger).record(changes, now: now, on: connection)
            let after = try await DeviceStateEpoch.read(on: connection, logger: logger)
            return Outcome(silenced: ids, step: .init(before: before, after: after, own: 1))
        }
    }

    /// A device found silent: its newest stored ping, when its silent interval starts (one
    /// interval after that ping), and its status until now.
    private struct Silent {
        var id: Int64
        var newest: PostgresTimestamp
        var start: PostgresTimestamp
        var status: DeviceStatus
    }

    /// The devices (of `among`, or all when nil) silent as of `now` and not marked so yet.
    private func silent(among ids: [Int64]?, now: Date, on connection: PostgresConnection) async throws -> [Silent] {
        let all = ids == nil
        var found: [Silent] = []
        // last_seen may lag behind pings another nadid took (it writes them later): a candidate's
        // newest stored ping decides (schema part 12). Only candidates are probed, each only in
        // the partitions from its last_seen on.
        for row in try await connection.collectedRows(
            """
            SELECT c.device_id, c.newest, c.newest + make_interval(secs => c.interval_s), c.status FROM (
                SELECT s.device_id, s.status, d.interval_s,
                       \(now.pg)::timestamptz - nadi_silence_after(d.interval_s, \(missCount)::int) - make_interval(secs => \(grace)) AS silent_before,
                       greatest(s.last_seen, (SELECT max(p.observed_at) FROM ping p
                                              WHERE p.device_id = s.device_id AND p.observed_at >= s.last_seen)) AS newest
                FROM device_state s JOIN device d ON d.id = s.device_id
                WHERE (\(all) OR s.device_id = ANY(\(ids ?? [])))
                  AND s.status <> 'unknown' AND NOT (s.status = 'down' AND s.reason = 'silent')
                  AND NOT EXISTS (SELECT 1 FROM federation_mirror m WHERE d.region <@ m.region)
                  AND s.last_seen < \(now.pg)::timestamptz - nadi_silence_after(d.interval_s, \(missCount)::int) - make_interval(secs => \(grace))
            ) c WHERE c.newest < c.silent_before
            """, logger: logger
        ) {
            let (id, newest, start, status) = try row.decode((Int64, PostgresTimestamp, PostgresTimestamp, String).self)
            found.append(Silent(id: id, newest: newest, start: start, status: DeviceStatus(rawValue: status) ?? .unknown))
        }
        return found
    }

    /// Writes newest ping times to `device_state.last_seen` (never moving one back). Returns how
    /// `device_state_change` moved around the update.
    func writeLastSeen(_ times: some Collection<(Int64, Date)>) async throws -> DeviceStateCache.EpochStep {
        let ids = times.map(\.0)
        let stamps = times.map(\.1.pg)
        // Under the state lock: rows a batch of another instance holds are never locked in the opposite order.
        // (`= ANY` lets the planner find the rows by the primary key, which it estimates exactly;
        // joined to `unnest` alone it hashed the whole table on every flush.)
        return try await client.transaction(logger: logger) { connection in
            try await StateLock.take(on: connection, logger: logger)
            let before = try await DeviceStateEpoch.read(on: connection, logger: logger)
            _ = try await connection.query(
                """
                UPDATE device_state s SET last_seen = GREATEST(s.last_seen, v.t)
                FROM unnest(\(ids)::bigint[], \(stamps)::timestamptz[]) AS v(id, t)
                WHERE s.device_id = v.id AND s.device_id = ANY(\(ids)::bigint[])
                """, logger: logger)
            let after = try await DeviceStateEpoch.read(on: connection, logger: logger)
            return DeviceStateCache.EpochStep(before: before, after: after, own: 1)
        }
    }
}
