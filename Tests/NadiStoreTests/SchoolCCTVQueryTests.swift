import Foundation
import NadiCore
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("School CCTV export")
struct SchoolCCTVQueryTests {
    @Test("rows for a covered school, one without a camera, one whose camera is down, and one with a private camera")
    func rows() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            for statement: PostgresQuery in [
                """
                INSERT INTO site (code, kind, name, region, lat, lon, attributes) VALUES
                  ('10000001', 'school', 'SMP Covered', '16.71.05', -2.97, 104.76, '{"level":"SMP"}'),
                  ('10000002', 'school', 'SD No Camera', '16.71.05', NULL, NULL, '{"level":"SD"}'),
                  ('10000003', 'school', 'SMA Camera Down', '16.71.05', -2.98, 104.77, '{"level":"SMA"}'),
                  ('10000004', 'school', 'SMP Private Camera', '16.71.05', -2.99, 104.78, '{"level":"SMP"}'),
                  ('10000009', 'school', 'SMP Elsewhere', '16.01.07', -4.1, 104.1, '{"level":"SMP"}')
                """,
                """
                INSERT INTO device (id, external_id, kind, region, site, name, installed_on, attributes) VALUES
                  (1, 'CAM-1', 'cctv', '16.71.05', '10000001', 'c1', '2025-01-01', '{"stream_url":"rtsp://cctv.palembang.go.id/1","public":true}'),
                  (2, 'CAM-3', 'cctv', '16.71.05', '10000003', 'c3', '2025-01-01', '{"stream_url":"rtsp://cctv.palembang.go.id/3","public":true}'),
                  (3, 'CAM-4', 'cctv', '16.71.05', '10000004', 'c4', '2025-01-01', '{"stream_url":"rtsp://secret/4","public":false}')
                """,
                """
                INSERT INTO status_interval (device_id, status, reason, started_at, ended_at) VALUES
                  (1, 'up', NULL, now() - interval '10 days', NULL),
                  (2, 'up', NULL, now() - interval '10 days', now() - interval '5 days'),
                  (2, 'down', 'silent', now() - interval '5 days', NULL),
                  (3, 'up', NULL, now() - interval '10 days', NULL)
                """,
                """
                INSERT INTO device_state (device_id, status, reason, since, last_seen) VALUES
                  (1, 'up', NULL, now() - interval '10 days', now()), (2, 'down', 'silent', now() - interval '5 days', now() - interval '5 days'),
                  (3, 'up', NULL, now() - interval '10 days', now())
                """,
            ] { _ = try await client.query(statement) }
            let schools = try await SchoolCCTVQuery(client: client, logger: TestCluster.quietLogger).schools(
                region: RegionCode("16.71"), level: nil, timeZone: TimeZone(identifier: "UTC") ?? .gmt)
            #expect(
                schools.map(\.npsn).sorted() == ["10000001", "10000002", "10000003", "10000004"], "every school under 16.71, none elsewhere"
            )
            let byCode = Dictionary(uniqueKeysWithValues: schools.map { ($0.npsn, $0) })
            let covered = try #require(byCode["10000001"])
            #expect(covered.covered && covered.cctvInstalled == 1 && covered.cctvOperational == 1 && covered.cctvPublic == 1)
            #expect(abs((covered.uptime30dPct ?? 0) - 100) < 1e-9)
            #expect(covered.publicStreams == ["rtsp://cctv.palembang.go.id/1"])
            let none = try #require(byCode["10000002"])
            #expect(!none.covered && none.cctvInstalled == 0 && none.uptime30dPct == nil && none.lat == nil)
            let down = try #require(byCode["10000003"])
            #expect(!down.covered && down.cctvInstalled == 1 && down.cctvOperational == 0)
            #expect(abs((down.uptime30dPct ?? 0) - 50) < 0.01, "up 5 of the 10 known days")
            let privateCamera = try #require(byCode["10000004"])
            #expect(privateCamera.covered && privateCamera.cctvPublic == 0)
            #expect(privateCamera.publicStreams.isEmpty, "a private stream URL never appears")
            let smp = try await SchoolCCTVQuery(client: client, logger: TestCluster.quietLogger).schools(
                region: RegionCode("16.71"), level: "smp", timeZone: TimeZone(identifier: "UTC") ?? .gmt)
            #expect(smp.map(\.npsn).sorted() == ["10000001", "10000004"])
        }
    }
}
