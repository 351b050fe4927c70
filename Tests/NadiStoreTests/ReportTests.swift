import Foundation
import NadiCore
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// A small world with hand-computed answers. Kota Palembang (16.71), two kecamatan:
/// - cctv A at school S1 (16.71.01): down 2025-01-01 – 2025-06-01, up since.
/// - cctv B at school S2 (16.71.02): up 2024-06-01 – 2026-01-01, down since.
/// - cctv C at school S1, decommissioned 2025-06-30, up since 2024-01-01.
/// - cctv D (16.71.02), installed 2027-01-01.
/// - fiber F1 3.5 km up, F2 2 km down (16.71.01).
/// - schools S1, S2 and S3 (no camera).
/// Targets: 16.71.01 cctv units 2025: 2, 2027: 4; 16.71.02 cctv units 2026: 5; 16.71 cctv
/// schools_pct 2026: 50; 16.71 fiber km 2024: 10.
@Suite("Coverage and uptime reports")
struct ReportTests {
    static func world(_ client: DatabaseClient) async throws {
        for statement: PostgresQuery in [
            """
            INSERT INTO site (code, kind, name, region) VALUES
              ('10000001', 'school', 'S1', '16.71.01'), ('10000002', 'school', 'S2', '16.71.02'), ('10000003', 'school', 'S3', '16.71.02')
            """,
            """
            INSERT INTO device (id, external_id, kind, region, site, name, installed_on, decommissioned_on, attributes) VALUES
              (1, 'A', 'cctv', '16.71.01', '10000001', 'A', '2024-01-01', NULL, '{"stream_url":"rtsp://a","public":true}'),
              (2, 'B', 'cctv', '16.71.02', '10000002', 'B', '2024-01-01', NULL, '{"stream_url":"rtsp://b"}'),
              (3, 'C', 'cctv', '16.71.01', '10000001', 'C', '2024-01-01', '2025-06-30', '{"stream_url":"rtsp://c"}'),
              (4, 'D', 'cctv', '16.71.02', NULL, 'D', '2027-01-01', NULL, '{"stream_url":"rtsp://d"}'),
              (5, 'F1', 'fiber_link', '16.71.01', NULL, 'F1', '2024-01-01', NULL, '{"length_km":3.5,"a_end":"x","z_end":"y"}'),
              (6, 'F2', 'fiber_link', '16.71.01', NULL, 'F2', '2024-01-01', NULL, '{"length_km":2,"a_end":"x","z_end":"y"}')
            """,
            """
            INSERT INTO status_interval (device_id, status, reason, started_at, ended_at) VALUES
              (1, 'down', NULL, '2025-01-01Z', '2025-06-01Z'), (1, 'up', NULL, '2025-06-01Z', NULL),
              (2, 'up', NULL, '2024-06-01Z', '2026-01-01Z'), (2, 'down', 'silent', '2026-01-01Z', NULL),
              (3, 'up', NULL, '2024-01-01Z', NULL),
              (5, 'up', NULL, '2024-01-01Z', NULL), (6, 'down', NULL, '2024-01-01Z', NULL)
            """,
            """
            INSERT INTO device_state (device_id, status, reason, since) VALUES
              (1, 'up', NULL, '2025-06-01Z'), (2, 'down', 'silent', '2026-01-01Z'), (3, 'up', NULL, '2024-01-01Z'),
              (4, 'unknown', 'never_seen', NULL), (5, 'up', NULL, '2024-01-01Z'), (6, 'down', NULL, '2024-01-01Z')
            """,
            """
            INSERT INTO target (region, kind, metric, year, value) VALUES
              ('16.71.01', 'cctv', 'units', 2025, 2), ('16.71.01', 'cctv', 'units', 2027, 4), ('16.71.02', 'cctv', 'units', 2026, 5),
              ('16.71', 'cctv', 'schools_pct', 2026, 50), ('16.71', 'fiber_link', 'km', 2024, 10)
            """,
        ] {
            _ = try await client.query(statement)
        }
    }

    static let utc = TimeZone(identifier: "UTC") ?? .gmt

    func row(_ report: CoverageReport, _ region: String, _ kind: DeviceKind, _ metric: TargetMetric) throws -> CoverageRow {
        try #require(report.rows.first { $0.region == region && $0.kind == kind && $0.metric == metric })
    }

    @Test(
        "coverage in 2026: children's targets summed, decommissioned and not-yet-installed devices left out, km from operational links, schools_pct"
    )
    func coverageNow() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.world(client)
            let query = CoverageQuery(client: client, logger: TestCluster.quietLogger)
            let at = ReportInstant(asOf: CalendarDay(year: 2026, month: 11, day: 20), timeZone: Self.utc)
            let report = try await query.report(scope: ReportScope(region: RegionCode("16.71"), depth: .district), at: at)
            #expect(report.year == 2026)
            let units = try row(report, "16.71", .cctv, .units)
            #expect(units.installed == 2, "A and B: C was decommissioned, D is installed in 2027")
            #expect(units.operational == 1)
            #expect(units.target == 8, "16.71.01 interpolates 3 for 2026, 16.71.02 has 5")
            #expect(units.achievementPct == 12.5)
            #expect(units.status == .behind)
            #expect(units.nextMilestone == Milestone(year: 2026, value: 8))
            let district = try row(report, "16.71.01", .cctv, .units)
            #expect(district.target == 3)
            #expect(district.nextMilestone == Milestone(year: 2027, value: 4))
            let schools = try row(report, "16.71", .cctv, .schoolsPct)
            #expect(abs(schools.achieved - 100.0 / 3) < 1e-9, "S1 of S1, S2, S3 has an operational camera")
            #expect(schools.schools == 3 && schools.schoolsCovered == 1, "the row counts schools, not devices")
            #expect(units.schools == nil, "a units row has no school count")
            #expect(schools.target == 50)
            #expect(schools.status == .behind)
            let km = try row(report, "16.71", .fiberLink, .km)
            #expect(km.achieved == 3.5)
            #expect(km.target == 10)
            #expect(km.achievementPct == 35)
            #expect(km.nextMilestone == nil, "the only milestone (2024) is past")
            #expect(report.rows.contains { $0.region == "16.71.02" && $0.kind == .fiberLink } == false, "no fiber and no target there")
            let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            #expect(json.contains(#""as_of":"2026-11-20""#))
            #expect(json.contains(#""achievement_pct":null"#), "null fields stay in the JSON contract")
        }
    }

    @Test("the rollout trajectory of 16.71's cameras: installed and operational at every month end (WIB), against the world by hand")
    func trajectoryByHand() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.world(client)
            let jakarta = try #require(TimeZone(identifier: "Asia/Jakarta"))
            let now = try #require(Timestamp.parse("2026-12-15T00:00:00Z"))
            let query = TrajectoryQuery(client: client, logger: TestCluster.quietLogger)
            #expect(try await query.historyStart() == Timestamp.parse("2024-01-01T00:00:00Z"))
            let trajectory = try await query.trajectory(region: RegionCode("16.71"), kind: .cctv, timeZone: jakarta, now: now)
            // By hand: A, B, C installed 2024-01-01; C decommissioned 2025-06-30; D not before 2027.
            // Operational at a month's end: C up from 2024-01 until it left; B up 2024-06-01 – 2026-01-01;
            // A down 2025-01-01 – 2025-06-01 and up since (nothing known of A before 2025). The
            // current month (December 2026) reads the current state: A up, B down.
            func expected(_ year: Int, _ month: Int) -> (installed: Int, operational: Int) {
                let index = year * 12 + month
                let cStays = index <= 2025 * 12 + 5
                let installed = cStays ? 3 : 2
                var operational = 0
                if cStays { operational += 1 }
                if index >= 2024 * 12 + 6 && index <= 2025 * 12 + 12 { operational += 1 }  // B
                if index >= 2025 * 12 + 6 { operational += 1 }  // A
                return (installed, operational)
            }
            #expect(trajectory.points.count == 36, "2024-01 … 2026-12")
            for point in trajectory.points {
                let year = Int(point.month.prefix(4)) ?? 0
                let month = Int(point.month.suffix(2)) ?? 0
                let want = expected(year, month)
                #expect(
                    point.installed == want.installed && point.operational == want.operational, "\(point.month): \(point) against \(want)")
            }
            #expect(trajectory.milestones.map(\.year) == [2025, 2026, 2027], "the kecamatan's milestones, summed (TargetTreeTests)")
        }
    }

    @Test("coverage as of a past day reads installation dates and state intervals as they were")
    func coveragePast() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.world(client)
            let query = CoverageQuery(client: client, logger: TestCluster.quietLogger)
            let at = ReportInstant(asOf: CalendarDay(year: 2025, month: 3, day: 1), timeZone: Self.utc)
            let report = try await query.report(scope: ReportScope(region: RegionCode("16.71"), depth: .regency), at: at)
            let units = try row(report, "16.71", .cctv, .units)
            #expect(units.installed == 3, "A, B and C (not yet decommissioned)")
            #expect(units.operational == 2, "B and C were up; A was down")
            #expect(units.target == 7, "2 (first milestone of 16.71.01) + 5 (before 16.71.02's first)")
        }
    }

    @Test(
        "uptime: unknown time before the first interval is not down, silence is down, the window cuts intervals, rollups are time-weighted")
    func uptime() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.world(client)
            let query = UptimeQuery(client: client, logger: TestCluster.quietLogger)
            func day(_ text: String) -> Date { CalendarDay(text)?.start(in: Self.utc) ?? .distantPast }
            // 2024-12-01 .. 2025-12-01 for A: unknown until 2025-01-01, down to 06-01 (151 days), up to 12-01 (183 days).
            let rows = try await query.byDevice(
                region: RegionCode("16.71"), kind: .cctv, window: day("2024-12-01")..<day("2025-12-01"), timeZone: Self.utc,
                now: day("2026-11-20"))
            let a = try #require(rows.first { $0.device == "A" })
            #expect(a.knownS == Double(151 + 183) * 86_400)
            #expect(a.operationalS == 183 * 86_400)
            let c = try #require(rows.first { $0.device == "C" })
            #expect(c.knownS == Double(31 + 180) * 86_400, "installed life ends when C was decommissioned (start of 2025-06-30)")
            #expect(c.uptimePct == 100)
            let d = try #require(rows.first { $0.device == "D" })
            #expect(d.knownS == 0)
            #expect(d.uptimePct == nil)
            let regions = try await query.byRegion(
                region: RegionCode("16.71"), depth: .district, kind: .cctv, window: day("2024-12-01")..<day("2025-12-01"),
                timeZone: Self.utc, now: day("2026-11-20"))
            let west = try #require(regions.first { $0.region == "16.71.01" })
            #expect(west.devices == 2)
            #expect(west.operationalS == Double(183 + 31 + 180) * 86_400)
            #expect(west.knownS == Double(151 + 183 + 31 + 180) * 86_400)
            let breaches = UptimeFilter.below(99, rows, uptime: \.uptimePct)
            #expect(breaches.map(\.device) == ["A"], "worst first; B (100% in this window) and D (nothing known) are not listed")
            // The console's summary: the same region table, and the devices lowest first, nothing known last.
            let summary = try await query.summary(
                region: RegionCode("16.71"), depth: .district, kind: .cctv, window: day("2024-12-01")..<day("2025-12-01"),
                timeZone: Self.utc, now: day("2026-11-20"), lowest: 10)
            #expect(summary.regions == regions)
            let byHand = rows.sorted { ($0.uptimePct ?? 101, $0.device) < ($1.uptimePct ?? 101, $1.device) }
            #expect(summary.lowest == byHand, "\(summary.lowest.map(\.device)) against \(byHand.map(\.device))")
            #expect(summary.lowest.first?.device == "A" && summary.lowest.last?.device == "D")
            let two = try await query.summary(
                region: RegionCode("16.71"), depth: .district, kind: .cctv, window: day("2024-12-01")..<day("2025-12-01"),
                timeZone: Self.utc, now: day("2026-11-20"), lowest: 2)
            #expect(two.lowest == Array(byHand.prefix(2)))
        }
    }
}
