import Foundation
import PostgresNIO

/// The writes of a batch's state step as prepared statements: parsed and planned once per
/// connection instead of once per batch (the step runs one batch at a time, so its planning is on
/// the ingest path's critical section).
///
/// Each finds its rows through an index whatever the planner believes about `unnest`'s size: a
/// join of `unnest` with `status_interval` or `device_state` was planned as a hash join over the
/// whole table (one sequential scan per batch, growing with the history) whenever the table's
/// statistics were missing or the batch large.
enum StateStatements {
    /// Deletes each re-cut device's intervals from its `from` on: one primary-key range per device
    /// (the lateral subquery, kept apart by `OFFSET 0`, cannot be hashed), then the rows by ctid.
    struct DeleteIntervals: PostgresPreparedStatement {
        typealias Row = ()
        static let sql = """
            DELETE FROM status_interval WHERE ctid = ANY (ARRAY(
                SELECT i.ctid FROM unnest($1::bigint[], $2::timestamptz[]) AS v(id, f)
                CROSS JOIN LATERAL (SELECT s.ctid FROM status_interval s WHERE s.device_id = v.id AND s.started_at >= v.f OFFSET 0) i))
            """
        var devices: [Int64]
        var from: [PostgresTimestamp]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(devices)
            bindings.append(from)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// Inserts the re-cut runs; a run that starts before `from` was kept by the delete: its end is updated.
    /// Runs of a device deleted meanwhile are skipped: status_interval has no foreign key (schema
    /// part 16), and the delete, which took the state lock first, has committed by now. The device
    /// is looked up per run (a scalar subquery, which the planner cannot turn into a join): as
    /// `EXISTS` it became a hash join over every device, a sequential scan of `device` per batch.
    struct UpsertRuns: PostgresPreparedStatement {
        typealias Row = ()
        static let sql = """
            INSERT INTO status_interval (device_id, status, reason, started_at, ended_at)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS v(id, st, r, s, e)
            WHERE (SELECT true FROM device d WHERE d.id = v.id)
            ON CONFLICT (device_id, started_at) DO UPDATE SET status = excluded.status, reason = excluded.reason, ended_at = excluded.ended_at
            """
        var devices: [Int64]
        var statuses: [String]
        var reasons: NullableArray<String>
        var starts: [PostgresTimestamp]
        var ends: NullableArray<PostgresTimestamp>

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(devices)
            bindings.append(statuses)
            bindings.append(reasons)
            bindings.append(starts)
            bindings.append(ends)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }

    /// Sets each re-cut device's state to its last run, marked with the writer's id. The rows are
    /// found by primary key, then updated by ctid (as `DeleteIntervals` does): joined with `unnest`
    /// on the device id, a batch of a few thousand changes was planned as a sequential scan of
    /// `device_state`. The ctids stay valid: every writer of `device_state` holds the state lock.
    struct UpdateStates: PostgresPreparedStatement {
        typealias Row = ()
        static let sql = """
            UPDATE device_state s SET status = v.st, reason = v.r, since = v.since, last_seen = GREATEST(s.last_seen, v.seen), writer = $6
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS v(id, st, r, since, seen)
            WHERE s.ctid = ANY (ARRAY(
                SELECT x.ctid FROM unnest($1::bigint[]) AS u(id)
                CROSS JOIN LATERAL (SELECT d.ctid FROM device_state d WHERE d.device_id = u.id OFFSET 0) x))
              AND s.device_id = v.id
            """
        var devices: [Int64]
        var statuses: [String]
        var reasons: NullableArray<String>
        var since: [PostgresTimestamp]
        var seen: [PostgresTimestamp]
        var writer: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(devices)
            bindings.append(statuses)
            bindings.append(reasons)
            bindings.append(since)
            bindings.append(seen)
            bindings.append(writer)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { () }
    }
}
