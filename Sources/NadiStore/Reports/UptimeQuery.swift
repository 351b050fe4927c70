package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

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
        // The devices whose down time may not all be their own: theirs split by cause.
        var needed = Set<Int64>()
        if !rows.isEmpty {
            for try await id in try await client.query(
                Self.intervalSums(
                    region: region, kind: kind, device: only, window: window, timeZone: timeZone, now: now,
                    then: "SELECT n.id FROM needed n JOIN dev ON dev.id = n.id"), logger: logger
            ).decode(Int64.self) { needed.insert(id) }
        }
        let attribution = try await CauseQuery(client: client, logger: logger).attribution(
            needed: needed, window: window.lowerBound..<windowEnd, now: now)
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

    /// How many devices' down time over `window` needs a split by cause (the benchmark says it,
    /// so that a timing with causes shows how much splitting it did).
    package func splitDeviceCount(window: Range<Date>, timeZone: TimeZone, now: Date = Date()) async throws -> Int {
        var count = 0
        for try await value in try await client.query(
            Self.intervalSums(
                region: nil, kind: nil, device: nil, window: window, timeZone: timeZone, now: now,
                then: "SELECT count(*) FROM needed n JOIN dev ON dev.id = n.id"), logger: logger
        ).decode(Int64.self) { count = Int(value) }
        return count
    }

    /// Each in-scope device's operational and known seconds over `window`, as CTEs a query
    /// continues with `then`: `dev` (id, external_id, kind, region, and `lo`/`hi`, its life
    /// clipped to the window, which ends at `now` at the latest), `span` (one
    /// row per interval inside a device's life: device_id, region, the device's `lo`/`hi`,
    /// `operational` and `seconds`), `agg` (device_id, operational, known; no row for a device with
    /// no interval), `down` (device_id, lo, hi: every non-operational interval over the window,
    /// open ones ending at `now`) and `needed` (id: every device, in scope or not, whose down time
    /// may be split by a cause other than its own). `then` is SQL text without parameters; a CTE it does not use
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
            -- RECURSIVE for `updown` below. NOT MATERIALIZED: inlined in both uses, the planner sees how many devices the region holds
            -- (materialized, it guessed, and hashed all of status_interval for a kota's 5,000 devices:
            -- 342 → 127 ms; the province's 50,000: 1,062 → 863 ms).
            WITH RECURSIVE dev AS NOT MATERIALIZED (
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
                SELECT i.device_id, dev.region, dev.lo, dev.hi, nadi_is_operational(i.status) AS operational,
                       date_part('epoch', least(coalesce(i.ended_at, \(now.pg)::timestamptz), dev.hi) - greatest(i.started_at, dev.lo)) AS seconds
                FROM dev JOIN status_interval i ON i.device_id = dev.id AND dev.lo < dev.hi
                     AND i.started_at < dev.hi AND coalesce(i.ended_at, \(now.pg)::timestamptz) > dev.lo
            ),
            -- Each device's intervals summed (grouped by the integer id alone).
            agg AS (
                SELECT device_id, sum(seconds) FILTER (WHERE operational) AS operational, sum(seconds) AS known
                FROM span GROUP BY device_id
            ),
            -- The devices whose down time may not all be their own. CauseAttribution finds another
            -- cause at an instant only when the device is under a maintenance window then, or an
            -- ancestor of it is not operational then; so a device none of whose non-operational
            -- intervals overlaps such a span has its own down time only, and needs no split. (Every
            -- device with a link or a window was split before: ~2 s more at 200,000 devices; this
            -- takes ~0.3 s.) `down`: the non-operational intervals over the window — none read
            -- when no link and no maintenance window overlaps it (the two EXISTS are evaluated
            -- once), so a fleet without topology pays nothing for this.
            down AS MATERIALIZED (
                SELECT device_id, started_at AS lo, coalesce(ended_at, \(now.pg)::timestamptz) AS hi FROM status_interval
                WHERE NOT nadi_is_operational(status) AND started_at < \(windowEnd.pg)
                  AND coalesce(ended_at, \(now.pg)::timestamptz) > \(window.lowerBound.pg)
                  AND (EXISTS (SELECT 1 FROM device_link l
                               WHERE l.valid_from < \(windowEnd.pg) AND coalesce(l.valid_to, 'infinity') > \(window.lowerBound.pg))
                       OR EXISTS (SELECT 1 FROM maintenance_window w
                                  WHERE w.cancelled_at IS NULL AND w.starts_at < \(windowEnd.pg) AND w.ends_at > \(window.lowerBound.pg)))
            ),
            -- Spans over which an ancestor of `device_id` was not operational: each upstream's
            -- non-operational intervals handed down its links while they held, level by level, as
            -- deep as CauseAttribution follows a chain.
            updown(device_id, lo, hi, depth) AS (
                SELECT l.device_id, greatest(x.lo, l.valid_from), least(x.hi, coalesce(l.valid_to, 'infinity')), 1
                FROM down x JOIN device_link l ON l.upstream_id = x.device_id
                     AND x.lo < coalesce(l.valid_to, 'infinity') AND x.hi > l.valid_from
                WHERE l.valid_from < \(windowEnd.pg) AND coalesce(l.valid_to, 'infinity') > \(window.lowerBound.pg)
                UNION ALL
                SELECT l.device_id, greatest(u.lo, l.valid_from), least(u.hi, coalesce(l.valid_to, 'infinity')), u.depth + 1
                FROM updown u JOIN device_link l ON l.upstream_id = u.device_id
                WHERE u.depth < \(CauseAttribution.maxDepth) AND l.valid_from < u.hi AND coalesce(l.valid_to, 'infinity') > u.lo
            ),
            -- The maintenance windows over the window (a window names a device or a region).
            win AS MATERIALIZED (
                SELECT w.device_id, w.region::text AS region, nlevel(w.region) AS level, w.kind, w.starts_at AS lo, w.ends_at AS hi
                FROM maintenance_window w
                WHERE w.cancelled_at IS NULL AND w.starts_at < \(windowEnd.pg) AND w.ends_at > \(window.lowerBound.pg)
            ),
            -- Spans during which a device may be down for a cause not its own. A region window
            -- covers the devices whose region code starts with its own, matched as text so that
            -- it hashes (`d.region <@ w.region` tested each window against every device: ~1 s).
            cover(device_id, lo, hi) AS (
                SELECT device_id, lo, hi FROM updown
                UNION ALL
                SELECT device_id, lo, hi FROM win WHERE device_id IS NOT NULL
                UNION ALL
                SELECT p.id, w.lo, w.hi
                FROM (SELECT d.id, d.kind, subpath(d.region, 0, v.level)::text AS prefix
                      FROM device d JOIN (SELECT DISTINCT level FROM win WHERE region IS NOT NULL) v ON nlevel(d.region) >= v.level
                      OFFSET 0) p
                JOIN win w ON w.region = p.prefix AND (w.kind IS NULL OR w.kind = p.kind)
            ),
            needed AS (
                SELECT DISTINCT x.device_id AS id FROM down x JOIN cover c ON c.device_id = x.device_id AND x.lo < c.hi AND x.hi > c.lo
            )
            \(unescaped: then)
            """
    }
}
