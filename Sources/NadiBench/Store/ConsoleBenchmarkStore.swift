import Foundation
import NadiCore
import NadiStore
import PostgresNIO

extension BenchmarkStore {
    /// The console benchmark's scratch database.
    package static let consoleDatabase = "nadi_bench_console"

    /// Replaces the inventory with `regencyDevices` devices over the kecamatan of `regency` and
    /// `provinceDevices` in all over the rest of its province, every kind, installed over three years,
    /// 30 days of state history (six stretches each), one school per ten cameras (the camera at it),
    /// and `units` targets per kecamatan. Heartbeats are daily, so the running nadid's silence
    /// sweeper changes no state while the pages are timed (the two volumes differ in pings only).
    package func generateConsoleFleet(regency: String, regencyDevices: Int, provinceDevices: Int) async throws {
        let province = String(regency.prefix { $0 != "." })
        for statement: PostgresQuery in [
            "TRUNCATE ping, status_interval, device_state, device, site, target RESTART IDENTITY CASCADE",
            """
            INSERT INTO device (external_id, kind, region, name, installed_on, interval_s, attributes)
            SELECT 'BENCH-' || g, k, d[1 + g % cardinality(d)]::ltree, 'bench device ' || g, date '2023-01-01' + (g % 1000)::int, 86400,
                   CASE k WHEN 'fiber_link' THEN jsonb_build_object('length_km', 1 + g % 20, 'a_end', 'A', 'z_end', 'Z')
                          WHEN 'cctv' THEN jsonb_build_object('stream_url', 'rtsp://cctv.example.go.id/' || g, 'public', g % 2 = 0)
                          WHEN 'videotron' THEN jsonb_build_object('size_m2', 24)
                          ELSE jsonb_build_object('serial', 'SN' || g) END
            FROM generate_series(1, \(provinceDevices)) g,
                 LATERAL (SELECT (ARRAY['cctv', 'fiber_link', 'videotron', 'attendance'])[1 + g % 4] AS k) kinds,
                 LATERAL (SELECT CASE WHEN g <= \(regencyDevices) THEN (SELECT array_agg(code::text ORDER BY code) FROM region
                                                                  WHERE level = 'district' AND code <@ \(regency)::ltree)
                                      ELSE (SELECT array_agg(code::text ORDER BY code) FROM region
                                            WHERE level = 'district' AND code <@ \(province)::ltree AND NOT code <@ \(regency)::ltree) END AS d) districts
            """,
            """
            INSERT INTO site (code, kind, name, region, lat, lon, attributes)
            SELECT lpad(d.id::text, 8, '0'), 'school', 'SEKOLAH BENCH ' || d.id, d.region, -2.9 - (d.id % 100) * 0.001, 104.7 + (d.id % 97) * 0.001,
                   jsonb_build_object('level', (ARRAY['SD', 'SMP', 'SMA', 'SMK'])[1 + d.id % 4])
            FROM device d WHERE d.kind = 'cctv' AND d.id % 10 = 0
            """,
            "UPDATE device SET site = lpad(id::text, 8, '0') WHERE kind = 'cctv' AND id % 10 = 0",
            Self.syntheticIntervals, Self.syntheticStates,
            """
            INSERT INTO target (region, kind, metric, year, value)
            SELECT code, k, 'units', y, 20 + (y - 2024) * 10 FROM region, unnest(ARRAY['cctv', 'fiber_link', 'videotron', 'attendance']) k,
                   unnest(ARRAY[2024, 2028]) y
            WHERE level = 'district' AND code <@ \(province)::ltree
            """,
            "ANALYZE",
        ] {
            _ = try await client.query(statement, logger: logger)
        }
    }
}
