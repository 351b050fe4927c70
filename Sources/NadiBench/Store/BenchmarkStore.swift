package import Foundation
package import Logging
package import NIOCore
import NadiCore
package import NadiStore
import PostgresNIO

/// The SQL of `nadi bench …`: scratch tables, generated fleets and histories, and the COPY that
/// measures PostgreSQL's own ceiling. Only ever run against the benchmarks' scratch databases.
package struct BenchmarkStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The scratch database of `nadi bench ingest`.
    package static let ingestDatabase = "nadi_bench_ingest"
    /// The scratch database of `nadi bench reports`.
    package static let reportsDatabase = "nadi_bench_reports"
    /// The scratch database of `nadi bench login-flood`.
    package static let loginDatabase = "nadi_bench_login"
    /// The scratch database of `nadi bench pictures`.
    package static let picturesDatabase = "nadi_bench_pictures"

    /// Drops and creates the scratch database `name` (a benchmark's own) on this server.
    package func recreateScratchDatabase(_ name: String) async throws {
        precondition(
            [
                Self.ingestDatabase, Self.reportsDatabase, Self.consoleDatabase, Self.loginDatabase, Self.picturesDatabase,
                Self.importDatabase,
            ].contains(name),
            "only the benchmarks' scratch databases")
        _ = try await client.query("DROP DATABASE IF EXISTS \(unescaped: name)", logger: logger)
        _ = try await client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
    }

    /// Every kecamatan code, in order.
    package func districtCodes() async throws -> [String] {
        try await client.query("SELECT code::text FROM region WHERE level = 'district' ORDER BY code", logger: logger)
            .collect().map { try $0.decode(String.self) }
    }

    /// How many pings are stored.
    package func pingCount() async throws -> Int {
        Int(try await client.query("SELECT count(*)::bigint FROM ping", logger: logger).collect().first?.decode(Int64.self) ?? 0)
    }

    /// Row ids of the devices named `prefix0`, `prefix1`, …, in that order; nil if any is missing.
    package func deviceIDs(prefix: String, count: Int) async throws -> [Int64]? {
        var ids = [Int64](repeating: 0, count: count)
        for try await (externalID, id) in try await client.query(
            "SELECT external_id, id FROM device WHERE starts_with(external_id, \(prefix))", logger: logger
        ).decode((String, Int64).self) {
            if let number = Int(externalID.dropFirst(prefix.count)), number < count { ids[number] = id }
        }
        return ids.contains(0) ? nil : ids
    }

    /// `nadi_bench_copy`: partitioned and indexed like `ping` (same columns, constraints, primary
    /// key), with one partition from yesterday to tomorrow.
    package func createCopyTable() async throws {
        for statement: PostgresQuery in [
            "DROP TABLE IF EXISTS nadi_bench_copy",
            "CREATE TABLE nadi_bench_copy (LIKE ping INCLUDING ALL) PARTITION BY RANGE (observed_at)",
            """
            CREATE TABLE nadi_bench_copy_now PARTITION OF nadi_bench_copy
            FOR VALUES FROM (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 day')
                         TO (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '2 days')
            """,
        ] {
            _ = try await client.query(statement, logger: logger)
        }
    }

    package func dropCopyTable() async throws {
        _ = try await client.query("DROP TABLE IF EXISTS nadi_bench_copy", logger: logger)
    }

    /// COPYs `chunks` (COPY text rows of `ping`'s columns) into `nadi_bench_copy` in one statement;
    /// returns the time it took to commit.
    package func copy(_ chunks: [ByteBuffer]) async throws -> Duration {
        try await client.withConnection { connection in
            let started = ContinuousClock.now
            try await connection.copyFrom(
                table: "nadi_bench_copy", columns: ["device_id", "observed_at", "status", "latency_ms", "reason", "metrics"],
                format: .text(.init()), logger: logger
            ) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
            return ContinuousClock.now - started
        }
    }

    /// Replaces the inventory with `count` devices of all four kinds over every kecamatan, six state
    /// stretches each over the last 30 days, and targets for every regency.
    package func generateReportFleet(count: Int) async throws {
        for statement: PostgresQuery in [
            "TRUNCATE ping, status_interval, device_state, device, target RESTART IDENTITY CASCADE",
            """
            INSERT INTO device (external_id, kind, region, name, installed_on, interval_s, attributes)
            SELECT 'BENCH-' || g, k, d[1 + g % cardinality(d)]::ltree, 'bench device ' || g, date '2023-01-01' + (g % 700)::int, 60,
                   CASE k WHEN 'fiber_link' THEN jsonb_build_object('length_km', 1 + g % 20, 'a_end', 'A', 'z_end', 'Z')
                          WHEN 'cctv' THEN jsonb_build_object('stream_url', 'rtsp://bench/' || g, 'public', g % 2 = 0)
                          WHEN 'videotron' THEN jsonb_build_object('size_m2', 24)
                          ELSE jsonb_build_object('serial', 'SN' || g) END
            FROM generate_series(1, \(count)) g,
                 LATERAL (SELECT (ARRAY['cctv', 'fiber_link', 'videotron', 'attendance'])[1 + g % 4] AS k) kinds,
                 (SELECT array_agg(code::text ORDER BY code) AS d FROM region WHERE level = 'district') districts
            """,
            Self.syntheticIntervals, Self.syntheticStates,
            """
            INSERT INTO target (region, kind, metric, year, value)
            SELECT code, k, 'units', y, 100 + (y - 2024) * 50 FROM region, unnest(ARRAY['cctv', 'fiber_link']) k, unnest(ARRAY[2024, 2028]) y
            WHERE level = 'regency'
            """,
            "ANALYZE",
        ] {
            _ = try await client.query(statement, logger: logger)
        }
    }

    /// Six stretches per device over 30 days: up, degraded or down (silent), the last one open.
    static let syntheticIntervals: PostgresQuery = """
        INSERT INTO status_interval (device_id, status, reason, started_at, ended_at)
        SELECT id, CASE WHEN i % 3 = 0 THEN 'up' WHEN i % 3 = 1 THEN (CASE WHEN id % 2 = 0 THEN 'down' ELSE 'degraded' END) ELSE 'up' END,
               CASE WHEN i % 3 = 1 AND id % 2 = 0 THEN 'silent' END,
               now() - interval '30 days' + (i * interval '5 days') + ((id % 3600) * interval '1 second'),
               CASE WHEN i < 5 THEN now() - interval '30 days' + ((i + 1) * interval '5 days') + ((id % 3600) * interval '1 second') END
        FROM device, generate_series(0, 5) i
        """

    /// Every device's current state: its open stretch.
    static let syntheticStates: PostgresQuery = """
        INSERT INTO device_state (device_id, status, reason, since, last_seen)
        SELECT device_id, status, reason, started_at, now() FROM status_interval WHERE ended_at IS NULL
        """

    /// Adds `count` synthetic pings over the last 30 days for devices 1…`devices` (distinct per `seed`).
    package func addSyntheticPings(count: Int, devices: Int, seed: Int, now: Date) async throws {
        let today = Int64(floor(now.timeIntervalSince1970 / 86_400))
        for day in (today - 31)...(today + 1) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            _ = try await client.query(
                "SELECT nadi_ensure_ping_partition((\(PostgresTimestamp(date)) AT TIME ZONE 'UTC')::date)", logger: logger)
        }
        // Distinct (device, time) per seed: each ping n of device d lands at its own microsecond.
        _ = try await client.query(
            """
            INSERT INTO ping (device_id, observed_at, status, latency_ms, metrics)
            SELECT 1 + n % \(devices), \(PostgresTimestamp(now))::timestamptz - interval '30 days' + (n * interval '1 microsecond' * 2 + \(seed) * interval '1 microsecond')
                   + ((n / \(devices)) * interval '1 minute'),
                   'up', 10, '{"fps":25}'
            FROM generate_series(0, \(count - 1)) n
            """, logger: logger)
        _ = try await client.query("ANALYZE ping", logger: logger)
    }

    /// Puts every non-fiber device of the report fleet behind a fiber link (the nearest lower
    /// fiber id), linked 31 days ago, and plans a 2-hour maintenance window over each province's
    /// fiber links 10 days ago; returns (links, windows).
    package func addReportTopology(now: Date) async throws -> (links: Int, windows: Int) {
        let since = now.addingTimeInterval(-31 * 86_400)
        let links = try await client.query(
            """
            WITH linked AS (
                UPDATE device d SET upstream_id = d.id - ((d.id - 1) % 4)
                WHERE d.kind <> 'fiber_link' AND d.id > 1 AND EXISTS (SELECT 1 FROM device u WHERE u.id = d.id - ((d.id - 1) % 4) AND u.kind = 'fiber_link')
                RETURNING d.id, d.upstream_id
            )
            INSERT INTO device_link (device_id, upstream_id, valid_from) SELECT id, upstream_id, \(since.pg) FROM linked
            RETURNING device_id
            """, logger: logger
        ).collect().count
        let windows = try await planProvinceWindows(on: .fiberLink, now: now)
        _ = try await client.query("ANALYZE device_link", logger: logger)
        return (links, windows)
    }

    /// Gives the report fleet's topology down time to split: one fiber link in ten goes down
    /// (its degraded stretches become silent ones) while the devices behind it are down too, and a
    /// 2-hour window 10 days ago plans work on each province's cameras, which are down then.
    /// Returns (fiber links down, windows).
    package func addReportOutages(now: Date) async throws -> (links: Int, windows: Int) {
        var links = 0
        for try await count in try await client.query(
            """
            WITH changed AS (
                UPDATE status_interval i SET status = 'down', reason = 'silent' FROM device d
                WHERE d.id = i.device_id AND d.kind = 'fiber_link' AND d.id % 40 = 1 AND i.status = 'degraded'
                RETURNING i.device_id
            )
            SELECT count(DISTINCT device_id) FROM changed
            """, logger: logger
        ).decode(Int64.self) { links = Int(count) }
        let windows = try await planProvinceWindows(on: .cctv, now: now)
        _ = try await client.query("ANALYZE status_interval", logger: logger)
        return (links, windows)
    }

    /// Plans a 2-hour maintenance window 10 days before `now` on each province's devices of `kind`;
    /// returns how many.
    private func planProvinceWindows(on kind: DeviceKind, now: Date) async throws -> Int {
        let start = now.addingTimeInterval(-10 * 86_400)
        return try await client.query(
            """
            INSERT INTO maintenance_window (region, kind, starts_at, ends_at, reason, created_by)
            SELECT code, \(kind.rawValue), \(start.pg), \(start.addingTimeInterval(7200).pg), 'bench', 'bench' FROM region WHERE level = 'province'
            RETURNING id
            """, logger: logger
        ).collect().count
    }
}

extension BenchmarkStore {
    /// Picture samples stored since `since` (pings that carry the picture's `fps`).
    package func pictureSamples(since: Date) async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*)::int8 FROM ping WHERE metrics ? 'fps' AND observed_at >= \(since.pg)", logger: logger
        ).decode(Int64.self) { return Int(count) }
        return 0
    }
}

extension BenchmarkStore {
    /// The scratch database of `nadi bench import`.
    package static let importDatabase = "nadi_bench_import"

    /// Deletes the devices `nadi bench import` registered (their audit rows stay: the trail is append-only).
    package func removeBenchDevices() async throws {
        _ = try await client.query("DELETE FROM device WHERE external_id LIKE 'IMP-%'", logger: logger)
    }

    /// Turns the audit trail's triggers on the device table on or off (for the comparison only):
    /// as a superuser in replica mode, the one way past the trail's guard (schema part 27).
    package func setAuditTriggers(on: Bool) async throws {
        let verb = on ? "ENABLE" : "DISABLE"
        _ = try await client.query(
            """
            DO $$ BEGIN
                SET LOCAL session_replication_role = replica;
                ALTER TABLE device \(unescaped: verb) TRIGGER audit_insert;
                ALTER TABLE device \(unescaped: verb) TRIGGER audit_update;
                ALTER TABLE device \(unescaped: verb) TRIGGER audit_delete;
            END $$
            """, logger: logger)
    }
}
