import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// DESIGN.md's coverage per region against the masterplan, read from the inventory, the state
/// history and the targets — never from raw pings.
package struct CoverageQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Picks the default scope: the only regency (then districts) or the only province (then
    /// regencies) that has devices, sites or targets; otherwise all of Indonesia by province.
    package func defaultScope() async throws -> ReportScope {
        var codes = Set<String>()
        for try await code in try await client.query(
            """
            SELECT DISTINCT subpath(region, 0, least(2, nlevel(region)))::text FROM device
            UNION SELECT DISTINCT subpath(region, 0, least(2, nlevel(region)))::text FROM target
            UNION SELECT DISTINCT subpath(region, 0, least(2, nlevel(region)))::text FROM site
            """, logger: logger
        ).decode(String.self) { codes.insert(code) }
        let regions = codes.compactMap { RegionCode($0) }
        let provinces = Set(regions.compactMap { $0.ancestor(at: .province) })
        if regions.count == 1, let only = regions.first, only.level == .regency { return ReportScope(region: only, depth: .district) }
        if provinces.count == 1, let only = provinces.first { return ReportScope(region: only, depth: .regency) }
        return ReportScope(region: nil, depth: .province)
    }

    /// True when `region` is a known region code.
    package func exists(_ region: RegionCode) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM region WHERE code = \(region.rawValue)::ltree", logger: logger) {
            return true
        }
        return false
    }

    /// The scope for a request: `region` down to `depth` (default one level below, at most
    /// kecamatan); without a region, `defaultScope()` (with `depth` when given).
    package func scope(region: RegionCode?, depth: RegionLevel?) async throws -> ReportScope {
        var scope: ReportScope
        if let region {
            let below = RegionLevel.allCases.first { $0.depth == region.level.depth + 1 } ?? .district
            scope = ReportScope(region: region, depth: depth ?? min(below, .district))
        } else {
            scope = try await defaultScope()
            if let depth { scope.depth = depth }
        }
        if let deepest = scope.region?.level, scope.depth < deepest { scope.depth = deepest }
        return scope
    }

    /// The report for `scope` at `at`, for the given kinds and metrics (all when empty).
    package func report(
        scope: ReportScope, at: ReportInstant, kinds: Set<DeviceKind> = [], metrics: Set<TargetMetric> = [],
        schoolRule: SchoolRule = .operationalCamera
    ) async throws -> CoverageReport {
        let goodPicture = schoolRule == .goodPicture
        let filter = scope.filter
        // The regions listed: the scope's region itself and everything under it down to the depth.
        var listed: [RegionCode: (name: String, level: RegionLevel)] = [:]
        for try await (code, name, level) in try await client.query(
            """
            SELECT code::text, name, level FROM region
            WHERE (\(filter) = '' OR code <@ nullif(\(filter), '')::ltree) AND nlevel(code) <= \(scope.depth.depth)
            """, logger: logger
        ).decode((String, String, String).self) {
            guard let region = RegionCode(code), let level = RegionLevel(rawValue: level) else { continue }
            listed[region] = (name, level)
        }
        var rollup = CoverageRollup(listed: listed)
        // Devices: installed and operational at the instant, per device region and kind.
        let now = Date()
        let useCurrentState = at.instant >= now.addingTimeInterval(-1)
        let day = at.day.description
        for try await (code, kind, installed, operational, km) in try await client.query(
            """
            SELECT d.region::text, d.kind, count(*)::int8,
                   count(*) FILTER (WHERE o.op)::int8,
                   coalesce(sum((d.attributes->>'length_km')::float8) FILTER (WHERE o.op AND d.kind = 'fiber_link'), 0)
            FROM device d
            -- Now: one join with every device's current state; at another instant: per device.
            LEFT JOIN device_operational_now n ON \(useCurrentState) AND n.device_id = d.id
            CROSS JOIN LATERAL (SELECT CASE WHEN \(useCurrentState) THEN coalesce(n.op, false)
                                            ELSE (SELECT p.op FROM nadi_operational(d.id, \(at.instant.pg), false) p) END AS op) o
            WHERE (\(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree)
              AND nadi_in_service(d.installed_on, d.decommissioned_on, \(day)::date)
            GROUP BY 1, 2
            """, logger: logger
        ).decode((String, String, Int, Int, Double).self) {
            guard let region = RegionCode(code), let kind = DeviceKind(rawValue: kind) else { continue }
            rollup.addDevices(region: region, kind: kind, installed: installed, operational: operational, operationalKm: km)
        }
        // Schools: how many, and how many have an operational camera at the site (or, by the good
        // picture rule, a camera showing a good picture now).
        for try await (code, total, covered) in try await client.query(
            """
            SELECT s.region::text, count(*)::int8, count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM device d LEFT JOIN device_state st ON \(goodPicture) AND st.device_id = d.id
                WHERE d.site = s.code AND d.kind = 'cctv' AND nadi_in_service(d.installed_on, d.decommissioned_on, \(day)::date)
                  AND CASE WHEN \(goodPicture) THEN coalesce(nadi_good_picture(nadi_image_checked(d.kind, d.attributes), st.status, st.reason), false)
                           ELSE EXISTS (SELECT 1 FROM nadi_operational(d.id, \(at.instant.pg), \(useCurrentState)) o WHERE o.op) END))::int8
            FROM site s WHERE s.kind = 'school' AND (\(filter) = '' OR s.region <@ nullif(\(filter), '')::ltree)
            GROUP BY 1
            """, logger: logger
        ).decode((String, Int, Int).self) {
            guard let region = RegionCode(code) else { continue }
            rollup.addSchools(region: region, total: total, covered: covered)
        }
        // Targets of every region in scope and below (children's targets sum up).
        for try await (code, kind, metric, year, value) in try await client.query(
            """
            SELECT region::text, kind, metric, year, value FROM target
            WHERE \(filter) = '' OR region <@ nullif(\(filter), '')::ltree
            """, logger: logger
        ).decode((String, String, String, Int, Double).self) {
            guard let region = RegionCode(code), let kind = DeviceKind(rawValue: kind), let metric = TargetMetric(rawValue: metric) else {
                continue
            }
            rollup.addMilestone(region: region, kind: kind, metric: metric, Milestone(year: year, value: value))
        }
        var report = rollup.report(asOf: at.day, kinds: kinds, metrics: metrics)
        report.schoolsRule = schoolRule
        return report
    }
}
