public import Foundation
public import Logging
public import NadiCore
import NadiStore
public import PostgresNIO

/// `nadi bench reports`: a large synthetic state (devices over every kabupaten/kota, 30 days of state
/// history), then the time of `coverage` for all regencies and `uptime --by region` over 30 days, at
/// two ping volumes an order of magnitude apart. The reports read state, not raw pings, so their time
/// must not grow with the ping volume.
public struct ReportBenchmark: Sendable {
    public struct Settings: Sendable {
        public var devices = 200_000
        public var pingsPerDevice = 10
        public var rounds = 5

        public init() {}
    }

    /// Medians of one ping volume.
    public struct Timing: Sendable {
        public var pings: Int
        public var coverage: Duration
        public var uptime: Duration
    }

    let client: PostgresClient
    let logger: Logger
    let settings: Settings
    let say: @Sendable (String) -> Void

    public init(client: PostgresClient, settings: Settings, logger: Logger, say: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.settings = settings
        self.logger = logger
        self.say = say
    }

    /// Builds the state and measures both volumes; returns (1×, 10×).
    public func run() async throws -> (Timing, Timing) {
        let started = ContinuousClock.now
        try await generateFleet()
        say("fleet: \(settings.devices) devices over 514 kabupaten/kota, 30 days of state history (\(ContinuousClock.now - started))")
        let now = Date()
        try await addPings(count: settings.devices * settings.pingsPerDevice, seed: 0, now: now)
        let small = try await measure(pings: settings.devices * settings.pingsPerDevice, now: now)
        say(line(small))
        try await addPings(count: settings.devices * settings.pingsPerDevice * 9, seed: 1, now: now)
        let large = try await measure(pings: settings.devices * settings.pingsPerDevice * 10, now: now)
        say(line(large))
        return (small, large)
    }

    func line(_ timing: Timing) -> String {
        "pings \(timing.pings): coverage (all regencies) \(Self.ms(timing.coverage)) ms, uptime --by region 30d \(Self.ms(timing.uptime)) ms (medians of \(settings.rounds))"
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", duration.milliseconds)
    }

    private func generateFleet() async throws {
        let count = settings.devices
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
            // Six stretches per device over 30 days: up, degraded or down (silent), the last one open.
            """
            INSERT INTO status_interval (device_id, status, reason, started_at, ended_at)
            SELECT id, CASE WHEN i % 3 = 0 THEN 'up' WHEN i % 3 = 1 THEN (CASE WHEN id % 2 = 0 THEN 'down' ELSE 'degraded' END) ELSE 'up' END,
                   CASE WHEN i % 3 = 1 AND id % 2 = 0 THEN 'silent' END,
                   now() - interval '30 days' + (i * interval '5 days') + ((id % 3600) * interval '1 second'),
                   CASE WHEN i < 5 THEN now() - interval '30 days' + ((i + 1) * interval '5 days') + ((id % 3600) * interval '1 second') END
            FROM device, generate_series(0, 5) i
            """,
            """
            INSERT INTO device_state (device_id, status, reason, since, last_seen)
            SELECT device_id, status, reason, started_at, now() FROM status_interval WHERE ended_at IS NULL
            """,
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

    private func addPings(count: Int, seed: Int, now: Date) async throws {
        let started = ContinuousClock.now
        let today = Int64(floor(now.timeIntervalSince1970 / 86_400))
        for day in (today - 31)...(today + 1) {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400)
            _ = try await client.query(
                "SELECT nadi_ensure_ping_partition((\(PostgresTimestamp(date)) AT TIME ZONE 'UTC')::date)", logger: logger)
        }
        let devices = settings.devices
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
        say("pings: +\(count) (\(ContinuousClock.now - started))")
    }

    private func measure(pings: Int, now: Date) async throws -> Timing {
        let coverage = CoverageQuery(client: client, logger: logger)
        let uptime = UptimeQuery(client: client, logger: logger)
        let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        var coverageTimes: [Duration] = []
        var uptimeTimes: [Duration] = []
        for _ in 0..<settings.rounds {
            let clock = ContinuousClock()
            coverageTimes.append(
                try await clock.measure {
                    let report = try await coverage.report(
                        scope: ReportScope(region: nil, depth: .regency), at: ReportInstant(asOf: nil, timeZone: zone))
                    guard !report.rows.isEmpty else { throw BenchError("coverage returned no rows") }
                })
            uptimeTimes.append(
                try await clock.measure {
                    let rows = try await uptime.byRegion(
                        region: nil, depth: .regency, kind: nil, window: now.addingTimeInterval(-30 * 86_400)..<now, timeZone: zone)
                    guard !rows.isEmpty else { throw BenchError("uptime returned no rows") }
                })
        }
        return Timing(pings: pings, coverage: Self.median(coverageTimes), uptime: Self.median(uptimeTimes))
    }

    static func median(_ values: [Duration]) -> Duration {
        let sorted = values.sorted()
        return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
    }
}
