import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A school as its public page shows it: only cameras flagged `public`, never private ones, IPs of
/// the city's network or credentials.
package struct PublicSchool: Sendable, Equatable {
    package var npsn: String
    package var name: String
    package var level: String?
    package var regionName: String
    /// Public cameras installed, and how many work now.
    package var publicCameras: Int
    package var publicWorking: Int
    /// Stream links of the public cameras, without credentials and without private-network hosts.
    package var streams: [String]
    /// Operational share of the public cameras' known time over the last 7 days, nil without data.
    package var availability7dPct: Double?
    /// The picture of each public camera now, in a stable order.
    package var pictures: [PictureHealth] = []
}

/// The public school pages' reads.
package struct PublicSchoolQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Schools whose name or NPSN contains `text` (at most `limit`), by name.
    package func search(_ text: String, limit: Int = 50) async throws -> [PublicSchool] {
        let pattern =
            "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await schools(npsn: nil, pattern: pattern, limit: limit)
    }

    /// The school with NPSN `npsn`, or nil.
    package func school(npsn: String) async throws -> PublicSchool? {
        try await schools(npsn: npsn, pattern: nil, limit: 1).first
    }

    private func schools(npsn: String?, pattern: String?, limit: Int) async throws -> [PublicSchool] {
        let now = Date()
        let from = now.addingTimeInterval(-7 * 86_400)
        var found: [PublicSchool] = []
        for try await (code, name, level, regionName, cameras, working, streams, operational, known, checked, statuses, reasons)
            in try await client.query(
                """
                WITH school AS (
                    SELECT s.code, s.name, s.attributes->>'level' AS level, r.name AS region_name
                    FROM site s JOIN region r ON r.code = s.region
                    WHERE s.kind = 'school'
                      AND ((\(npsn)::text IS NOT NULL AND s.code = \(npsn)::text)
                           OR (\(pattern)::text IS NOT NULL AND (s.name ILIKE \(pattern)::text OR s.code ILIKE \(pattern)::text)))
                    ORDER BY s.name, s.code LIMIT \(limit)
                ), cam AS (
                    SELECT d.id, d.site, d.attributes->>'public_url' AS stream, coalesce(nadi_is_operational(st.status), false) AS working,
                           nadi_image_checked(d.kind, d.attributes) AS checked, coalesce(st.status, 'unknown') AS status, coalesce(st.reason, '') AS reason
                    FROM device d JOIN school ON school.code = d.site LEFT JOIN device_state st ON st.device_id = d.id
                    WHERE d.kind = 'cctv' AND d.attributes->>'public' = 'true' AND nadi_in_service(d.installed_on, d.decommissioned_on, current_date)
                ), spans AS (
                    SELECT c.site,
                           coalesce(sum(extract(epoch FROM least(coalesce(i.ended_at, \(now)), \(now)) - greatest(i.started_at, \(from))))
                               FILTER (WHERE nadi_is_operational(i.status)), 0)::float8 AS op,
                           sum(extract(epoch FROM least(coalesce(i.ended_at, \(now)), \(now)) - greatest(i.started_at, \(from))))::float8 AS known
                    FROM cam c JOIN status_interval i ON i.device_id = c.id
                    WHERE i.ended_at IS NULL OR i.ended_at > \(from)
                    GROUP BY c.site
                )
                SELECT school.code, school.name, school.level, school.region_name,
                       count(cam.id)::int8, count(cam.id) FILTER (WHERE cam.working)::int8,
                       coalesce(array_agg(cam.stream ORDER BY cam.id) FILTER (WHERE cam.stream IS NOT NULL), '{}'),
                       max(spans.op), max(spans.known),
                       coalesce(array_agg(cam.checked ORDER BY cam.id) FILTER (WHERE cam.id IS NOT NULL), '{}'),
                       coalesce(array_agg(cam.status ORDER BY cam.id) FILTER (WHERE cam.id IS NOT NULL), '{}'),
                       coalesce(array_agg(cam.reason ORDER BY cam.id) FILTER (WHERE cam.id IS NOT NULL), '{}')
                FROM school LEFT JOIN cam ON cam.site = school.code LEFT JOIN spans ON spans.site = school.code
                GROUP BY school.code, school.name, school.level, school.region_name
                ORDER BY school.name, school.code
                """, logger: logger
            ).decode((String, String, String?, String, Int, Int, [String], Double?, Double?, [Bool], [String], [String]).self)
        {
            let shown = streams.compactMap(PublicLink.shown)
            let availability = known.flatMap { known in known > 0 ? 100 * (operational ?? 0) / known : nil }
            let pictures = zip(checked, zip(statuses, reasons)).map { checked, state in
                PictureHealth(checked: checked, status: DeviceStatus(rawValue: state.0) ?? .unknown, reason: state.1)
            }
            found.append(
                PublicSchool(
                    npsn: code, name: name, level: level, regionName: regionName, publicCameras: cameras, publicWorking: working,
                    streams: shown, availability7dPct: availability, pictures: pictures))
        }
        return found
    }
}
