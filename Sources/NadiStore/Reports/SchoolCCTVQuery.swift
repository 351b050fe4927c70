package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Every school under a region, including those with no camera: which have a working camera.
/// A camera belongs to a school when its `site` is the school's NPSN.
package struct SchoolCCTVQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    package func schools(region: RegionCode?, level: String?, timeZone: TimeZone, now: Date = Date()) async throws -> [SchoolCCTV] {
        let filter = region?.rawValue ?? ""
        let levelFilter = level ?? ""
        let today = CalendarDay(now, in: timeZone).description
        var schools: [SchoolCCTV] = []
        var cameras: [String: [String]] = [:]
        for try await (
            code, name, level, regionCode, regionName, lat, lon, installed, operational, isPublic, lastSeen, cameraIDs, streams, checked,
            good
        )
            in try await client.query(
                """
                SELECT s.code, s.name, s.attributes->>'level', s.region::text, r.name, s.lat, s.lon,
                       count(d.id)::int8,
                       count(d.id) FILTER (WHERE nadi_is_operational(st.status))::int8,
                       count(d.id) FILTER (WHERE d.attributes->>'public' = 'true')::int8,
                       max(st.last_seen),
                       coalesce(array_agg(d.external_id ORDER BY d.external_id) FILTER (WHERE d.id IS NOT NULL), '{}'),
                       coalesce(array_agg(coalesce(d.attributes->>'public_url', d.attributes->>'stream_url') ORDER BY d.external_id)
                                FILTER (WHERE d.attributes->>'public' = 'true'), '{}'),
                       count(d.id) FILTER (WHERE nadi_image_checked(d.kind, d.attributes))::int8,
                       count(d.id) FILTER (WHERE nadi_good_picture(nadi_image_checked(d.kind, d.attributes), st.status, st.reason))::int8
                FROM site s
                JOIN region r ON r.code = s.region
                LEFT JOIN device d ON d.site = s.code AND d.kind = 'cctv' AND nadi_in_service(d.installed_on, d.decommissioned_on, \(today)::date)
                LEFT JOIN device_state st ON st.device_id = d.id
                WHERE s.kind = 'school' AND (\(filter) = '' OR s.region <@ nullif(\(filter), '')::ltree)
                  AND (\(levelFilter) = '' OR upper(s.attributes->>'level') = upper(\(levelFilter)))
                GROUP BY s.code, s.name, s.attributes, s.region, r.name, s.lat, s.lon
                ORDER BY s.region, s.name, s.code
                """, logger: logger
            ).decode(
                (String, String, String?, String, String, Double?, Double?, Int, Int, Int, PostgresTimestamp?, [String], [String], Int, Int)
                    .self
            )
        {
            cameras[code] = cameraIDs
            var school = SchoolCCTV(
                npsn: code, name: name, level: level, region: regionCode, regionName: regionName, lat: lat, lon: lon,
                cctvInstalled: installed, cctvOperational: operational, cctvPublic: isPublic, uptime30dPct: nil,
                covered: operational > 0, lastSeen: lastSeen?.date, publicStreams: streams.compactMap(PublicLink.shown))
            school.cctvPictureChecked = checked
            school.cctvGoodPicture = good
            school.goodPicture = good > 0
            schools.append(school)
        }
        // The newest change to each school's cameras in the audit trail: a camera created or
        // deleted there, or one whose site, installation or decommissioning changed.
        var changes: [String: (Date, String)] = [:]
        for try await (site, at, actor) in try await client.query(
            """
            SELECT DISTINCT ON (v.site) v.site, v.at, v.actor
            FROM (
                SELECT coalesce(a.after ->> 'site', a.before ->> 'site', d.site) AS site, a.at, a.actor, a.id
                FROM audit_event a LEFT JOIN device d ON d.external_id = a.object_id AND d.kind = 'cctv'
                WHERE a.object_type = 'device'
                  AND (a.action <> 'update' OR a.after ?| ARRAY['site', 'installed_on', 'decommissioned_on', 'kind'])
                  AND coalesce(a.after ->> 'kind', a.before ->> 'kind', d.kind) = 'cctv'
                  AND (\(filter) = '' OR a.region <@ nullif(\(filter), '')::ltree OR d.region <@ nullif(\(filter), '')::ltree)
                UNION ALL
                -- A camera moved away: its old site lost it.
                SELECT a.before ->> 'site', a.at, a.actor, a.id FROM audit_event a
                WHERE a.object_type = 'device' AND a.action = 'update' AND a.before ? 'site' AND a.before ->> 'site' IS NOT NULL
            ) v
            WHERE v.site IS NOT NULL
            ORDER BY v.site, v.id DESC
            """, logger: logger
        ).decode((String, PostgresTimestamp, String).self) {
            changes[site] = (at.date, actor)
        }
        for index in schools.indices {
            guard let (at, actor) = changes[schools[index].npsn] else { continue }
            schools[index].camerasChangedAt = at
            schools[index].camerasChangedBy = actor
        }
        let uptimes = try await UptimeQuery(client: client, logger: logger).byDevice(
            region: region, kind: .cctv, window: now.addingTimeInterval(-30 * 86_400)..<now, timeZone: timeZone, now: now)
        let byDevice = Dictionary(uptimes.map { ($0.device, UptimeTally(operational: $0.operationalS, known: $0.knownS)) }) { a, _ in a }
        for index in schools.indices {
            let ids = cameras[schools[index].npsn] ?? []
            guard !ids.isEmpty else { continue }
            let tally = ids.reduce(UptimeTally()) { $0 + (byDevice[$1] ?? UptimeTally()) }
            schools[index].uptime30dPct = tally.percent
        }
        return schools
    }
}
