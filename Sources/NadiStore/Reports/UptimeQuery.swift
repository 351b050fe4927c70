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
        let windowEnd = min(window.upperBound, now)
        var rows: [DeviceUptime] = []
        var ids: [Int64] = []
        var lives: [Range<Date>] = []
        for try await (id, device, kind, region, operational, known, status, since, lo, hi) in try await client.query(
            Self.intervalSums(
                region: region, kind: kind, device: only, window: window, timeZone: timeZone, now: now,
                then: """
                    SELECT dev.id, dev.external_id, dev.kind, dev.region::text,
                           coalesce(agg.operational, 0)::float8, coalesce(agg.known, 0)::float8,
                           coalesce(s.status, 'unknown'), s.since, dev.lo, dev.hi
                    FROM dev
                    LEFT JOIN agg ON agg.device_id = dev.id
                    LEFT JOIN device_state s ON s.device_id = dev.id
                    ORDER BY dev.region, dev.external_id
                    """), logger: logger
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

    /// Each in-scope device's operational and known seconds over `window`, as CTEs a query
    /// continues with `then`: `dev` (id, external_id, kind, region, and `lo`/`hi`, its life
    /// clipped to the window, which ends at `now` at the latest), `span` (one
    /// row per interval inside a device's life: device_id, region, the device's `lo`/`hi`,
    /// `operational` and `seconds`), `agg` (device_id, operational, known; no row for a device with
    /// no interval) and `cand` (id: every device with an upstream link or a maintenance window over
    /// the window, in scope or not). `then` is SQL text without parameters; a CTE it does not use
    /// costs nothing.
    static func intervalSums(
        region: RegionCode?, kind: DeviceKind?, device: String?, window: Range<Date>, timeZone: TimeZone, now: Date, then: String
    ) -> PostgresQuery {
        let filter = region?.rawValue ?? ""
        let kindFilter = kind?.rawValue ?? ""
        let deviceFilter = device ?? ""
        let windowEnd = min(window.upperBound, now)
        let offset = timeZone.secondsFromGMT(for: window.lowerBound)
        return """
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
            -- Each interval's seconds inside its device's life and the window, in float seconds
            -- (date_part, not extract: extract's numeric made the sums the slowest part).
            span AS NOT MATERIALIZED (
                SELECT i.device_id, dev.region, dev.lo, dev.hi, i.status IN ('up', 'degraded') AS operational,
                       date_part('epoch', least(coalesce(i.ended_at, \(now.pg)::timestamptz), dev.hi) - greatest(i.started_at, dev.lo)) AS seconds
                FROM dev JOIN status_interval i ON i.device_id = dev.id AND dev.lo < dev.hi
                     AND i.started_at < dev.hi AND coalesce(i.ended_at, \(now.pg)::timestamptz) > dev.lo
            ),
            -- Each device's intervals summed (grouped by the integer id alone).
            agg AS (
                SELECT device_id, sum(seconds) FILTER (WHERE operational) AS operational, sum(seconds) AS known
                FROM span GROUP BY device_id
            ),
            -- The devices whose down time may not be all their own: those with an upstream link or a
            -- maintenance window over the window. Read as sets, not per device; with the window as
            -- parameters (not read from `win`), so the scans that use it stay parallel.
            cand AS NOT MATERIALIZED (
                SELECT l.device_id AS id FROM device_link l
                WHERE l.valid_from < \(windowEnd.pg) AND coalesce(l.valid_to, 'infinity') > \(window.lowerBound.pg)
                UNION
                SELECT w.device_id FROM maintenance_window w
                WHERE w.device_id IS NOT NULL AND w.cancelled_at IS NULL
                  AND w.starts_at < \(windowEnd.pg) AND w.ends_at > \(window.lowerBound.pg)
                UNION
                SELECT d.id FROM maintenance_window w
                JOIN device d ON d.region <@ w.region AND (w.kind IS NULL OR w.kind = d.kind)
                WHERE w.region IS NOT NULL AND w.cancelled_at IS NULL
                  AND w.starts_at < \(windowEnd.pg) AND w.ends_at > \(window.lowerBound.pg)
            )
            \(unescaped: then)
            """
    }
}
