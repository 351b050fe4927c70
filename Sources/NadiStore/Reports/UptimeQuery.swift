package import Foundation
package import Logging
package import NadiCore
package import PostgresNIO

package struct UptimeQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Per-device uptime over `window` for devices under `region` (all when nil) of `kind` (all
    /// when nil); only the device with external id `device` when given.
    package func byDevice(
        region: RegionCode?, kind: DeviceKind?, device only: String? = nil, window: Range<Date>, timeZone: TimeZone, now: Date = Date()
    )
        async throws -> [DeviceUptime]
    {
        let filter = region?.rawValue ?? ""
        let kindFilter = kind?.rawValue ?? ""
        let deviceFilter = only ?? ""
        let windowEnd = min(window.upperBound, now)
        let offset = timeZone.secondsFromGMT(for: window.lowerBound)
        var rows: [DeviceUptime] = []
        var ids: [Int64] = []
        var lives: [Range<Date>] = []
        for try await (id, device, kind, region, operational, known, status, since, lo, hi) in try await client.query(
            """
            -- NOT MATERIALIZED: inlined in both uses, the planner sees how many devices the region holds
            -- (materialized, it guessed, and hashed all of status_interval for a kota's 5,000 devices:
            -- 342 → 127 ms; the province's 50,000: 1,062 → 863 ms).
            WITH dev AS NOT MATERIALIZED (
                SELECT d.id, d.external_id, d.kind, d.region,
                       greatest(\(window.lowerBound.pg)::timestamptz, (d.installed_on::timestamp - make_interval(secs => \(offset))) AT TIME ZONE 'UTC') AS lo,
                       least(\(windowEnd.pg)::timestamptz,
                             coalesce((d.decommissioned_on::timestamp - make_interval(secs => \(offset))) AT TIME ZONE 'UTC', 'infinity'::timestamptz)) AS hi
                FROM device d
                WHERE (\(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree) AND (\(kindFilter) = '' OR d.kind = \(kindFilter))
                  AND (\(deviceFilter) = '' OR d.external_id = \(deviceFilter))
            ),
            -- Each device's intervals summed first (grouped by the integer id alone), in float seconds
            -- (date_part, not extract: extract's numeric made the sums the slowest part).
            agg AS (
                SELECT i.device_id,
                       sum(date_part('epoch', least(coalesce(i.ended_at, \(now.pg)::timestamptz), dev.hi) - greatest(i.started_at, dev.lo)))
                           FILTER (WHERE i.status IN ('up', 'degraded')) AS operational,
                       sum(date_part('epoch', least(coalesce(i.ended_at, \(now.pg)::timestamptz), dev.hi) - greatest(i.started_at, dev.lo))) AS known
                FROM dev JOIN status_interval i ON i.device_id = dev.id AND dev.lo < dev.hi
                     AND i.started_at < dev.hi AND coalesce(i.ended_at, \(now.pg)::timestamptz) > dev.lo
                GROUP BY i.device_id
            )
            SELECT dev.id, dev.external_id, dev.kind, dev.region::text,
                   coalesce(agg.operational, 0)::float8, coalesce(agg.known, 0)::float8,
                   coalesce(s.status, 'unknown'), s.since, dev.lo, dev.hi
            FROM dev
            LEFT JOIN agg ON agg.device_id = dev.id
            LEFT JOIN device_state s ON s.device_id = dev.id
            ORDER BY dev.region, dev.external_id
            """, logger: logger
        ).decode((Int64, String, String, String, Double, Double, String, PostgresTimestamp?, PostgresTimestamp, PostgresTimestamp).self) {
            ids.append(id)
            lives.append(lo.date..<max(lo.date, hi.date))
            rows.append(
                DeviceUptime(
                    device: device, kind: DeviceKind(rawValue: kind) ?? .cctv, region: region,
                    uptimePct: UptimeTally(operational: operational, known: known).percent, operationalS: operational, knownS: known,
                    status: DeviceStatus(rawValue: status) ?? .unknown, since: since?.date))
        }
        // Devices with an upstream or a maintenance window: their down time split by cause.
        let (needed, attribution) = try await CauseQuery(client: client, logger: logger).attribution(
            for: ids, window: window.lowerBound..<windowEnd, now: now)
        for index in rows.indices where needed.contains(ids[index]) {
            let split = attribution.tally(ids[index], over: lives[index])
            let tally = CauseTally(
                operational: rows[index].operationalS, known: rows[index].knownS, own: split.own, upstream: split.upstream,
                maintenance: split.maintenance)
            rows[index].downOwnS = tally.own
            rows[index].downUpstreamS = tally.upstream
            rows[index].maintenanceS = tally.maintenance
            rows[index].slaPct = tally.slaPercent
        }
        return rows
    }

    /// Per-region uptime at `depth` under `region`, time-weighted: Σ operational ÷ Σ known.
    package func byRegion(
        region: RegionCode?, depth: RegionLevel, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date = Date()
    )
        async throws -> [RegionUptime]
    {
        let devices = try await byDevice(region: region, kind: kind, window: window, timeZone: timeZone, now: now)
        return try await byRegion(devices: devices, region: region, depth: depth)
    }

    /// `devices` (from ``byDevice``) summed per region at `depth` under `region`; lets a caller that
    /// shows both tables read the devices once.
    package func byRegion(devices: [DeviceUptime], region: RegionCode?, depth: RegionLevel) async throws -> [RegionUptime] {
        let filter = region?.rawValue ?? ""
        var names: [String: String] = [:]
        for try await (code, name) in try await client.query(
            "SELECT code::text, name FROM region WHERE (\(filter) = '' OR code <@ nullif(\(filter), '')::ltree) AND nlevel(code) = \(depth.depth)",
            logger: logger
        ).decode((String, String).self) { names[code] = name }
        var totals: [String: (devices: Int, tally: CauseTally)] = [:]
        for row in devices {
            guard let code = RegionCode(row.region)?.ancestor(at: depth)?.rawValue else { continue }
            let current = totals[code] ?? (0, CauseTally())
            let tally = CauseTally(
                operational: row.operationalS, known: row.knownS, own: row.downOwnS, upstream: row.downUpstreamS,
                maintenance: row.maintenanceS)
            totals[code] = (current.devices + 1, current.tally + tally)
        }
        return totals.keys.sorted().map { code in
            let entry = totals[code] ?? (0, CauseTally())
            var row = RegionUptime(
                region: code, name: names[code] ?? code, devices: entry.devices,
                uptimePct: UptimeTally(operational: entry.tally.operational, known: entry.tally.known).percent,
                operationalS: entry.tally.operational, knownS: entry.tally.known)
            row.downOwnS = entry.tally.own
            row.downUpstreamS = entry.tally.upstream
            row.maintenanceS = entry.tally.maintenance
            row.slaPct = entry.tally.slaPercent
            return row
        }
    }
}
