package import Foundation
package import NadiCore
import PostgresNIO

/// The region table of an uptime report and its lowest devices, summed in PostgreSQL: only the
/// region totals, the lowest devices and the devices whose down time needs a cause split come back,
/// not a row per device (at 200,000 devices, decoding and summing every row in Swift cost as much
/// as the SQL).
package struct UptimeSummary: Sendable {
    /// One row per region at the asked depth that holds at least one device, by code.
    package var regions: [RegionUptime]
    /// The devices with the lowest uptime, lowest first (nothing known counts as highest), then by id.
    package var lowest: [DeviceUptime]
}

extension UptimeQuery {
    /// Per-region uptime at `depth` under `region`, time-weighted: Σ operational ÷ Σ known, with
    /// down time split by cause.
    package func byRegion(
        region: RegionCode?, depth: RegionLevel, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date = Date()
    )
        async throws -> [RegionUptime]
    {
        try await summary(region: region, depth: depth, kind: kind, window: window, timeZone: timeZone, now: now, lowest: 0).regions
    }

    /// The region table at `depth` under `region` and the `lowest` devices with the lowest uptime.
    package func summary(
        region: RegionCode?, depth: RegionLevel, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date = Date(),
        lowest: Int
    ) async throws -> UptimeSummary {
        let windowEnd = min(window.upperBound, now)
        let sums = try await regionTotals(region: region, depth: depth, kind: kind, window: window, timeZone: timeZone, now: now)
        var totals = sums.totals
        let caused = sums.caused
        let lowestRows =
            lowest > 0
            ? try await lowestDevices(region: region, kind: kind, window: window, timeZone: timeZone, now: now, count: lowest) : []
        let attribution = try await CauseQuery(client: client, logger: logger).attribution(
            needed: Set(caused.map(\.id)), window: window.lowerBound..<windowEnd, now: now)
        for device in caused {
            guard let code = RegionCode(device.region)?.ancestor(at: depth)?.rawValue, let total = totals[code] else { continue }
            let split = attribution.tally(device.id, over: device.life)
            var tally = total.tally
            // The device's down time leaves the region's own and comes back split. Clamped: the
            // two sums were added in different orders, and a region whose down time is all caused
            // must not show −0.0000001 s of its own.
            tally.own = max(0, tally.own - device.down)
            totals[code] = (total.devices, tally + CauseTally(own: split.own, upstream: split.upstream, maintenance: split.maintenance))
        }
        let causedIDs = Set(caused.map(\.id))
        let devices = lowestRows.map { entry -> DeviceUptime in
            guard causedIDs.contains(entry.id) else { return entry.row }
            var row = entry.row
            let split = attribution.tally(entry.id, over: entry.life)
            let tally = CauseTally(
                operational: row.operationalS, known: row.knownS, own: split.own, upstream: split.upstream, maintenance: split.maintenance)
            row.downOwnS = tally.own
            row.downUpstreamS = tally.upstream
            row.maintenanceS = tally.maintenance
            row.slaPct = tally.slaPercent
            return row
        }
        let names = try await regionNames(under: region, depth: depth)
        let regions = totals.keys.sorted().map { code in
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
        return UptimeSummary(regions: regions, lowest: devices)
    }

    /// A region's device count and time-weighted sums, all down time counted as the devices' own
    /// (the caused devices' still to split).
    typealias RegionTotal = (devices: Int, tally: CauseTally)
    /// A device whose down time may not be all its own: some of its down time (`down` seconds,
    /// counted as its own in its region's total until split) overlaps a maintenance window over it
    /// or a non-operational ancestor.
    typealias CausedDevice = (id: Int64, region: String, life: Range<Date>, down: Double)

    /// The region table's sums by region code, summed over intervals straight into the regions
    /// (grouped by the region's text: at 200,000 devices and 1.2 M intervals ~0.4 s, where summing
    /// each device first took ~1.2 s), and the devices whose down time needs a cause split.
    private func regionTotals(
        region: RegionCode?, depth: RegionLevel, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date
    ) async throws -> (totals: [String: RegionTotal], caused: [CausedDevice]) {
        let windowEnd = min(window.upperBound, now)
        let level = depth.depth
        var totals: [String: RegionTotal] = [:]
        var caused: [CausedDevice] = []
        for row in try await client.collectedRows(
            Self.intervalSums(
                region: region, kind: kind, device: nil, window: window, timeZone: timeZone, now: now,
                then: """
                    -- All non-operational time counted as the devices' own here; the caused devices'
                    -- share is replaced by its split below. (Joining the caused set in here instead
                    -- kept the planner from summing in parallel: 0.9 → 1.6 s at 200,000 devices.)
                    , sums AS (
                        SELECT subpath(s.region, 0, \(level))::text AS code,
                               sum(s.seconds) FILTER (WHERE s.operational) AS op, sum(s.seconds) AS known,
                               sum(s.seconds) FILTER (WHERE NOT s.operational) AS down
                        FROM span s WHERE nlevel(s.region) >= \(level) GROUP BY 1
                    ),
                    counts AS (
                        SELECT subpath(region, 0, \(level))::text AS code, count(*) AS devices FROM dev
                        WHERE nlevel(region) >= \(level) GROUP BY 1
                    )
                    SELECT 'region', 0::int8, counts.code, counts.devices, coalesce(sums.op, 0)::float8,
                           coalesce(sums.known, 0)::float8, coalesce(sums.down, 0)::float8, NULL::timestamptz, NULL::timestamptz
                    FROM counts LEFT JOIN sums ON sums.code = counts.code
                    UNION ALL
                    -- The devices whose down time needs a split, and how much of it lies in their
                    -- life (the seconds as `span` computes them, so that they cancel).
                    SELECT 'caused', dev.id, min(dev.region::text), 0, 0, 0,
                           sum(date_part('epoch', least(x.hi, dev.hi) - greatest(x.lo, dev.lo))), min(dev.lo), min(dev.hi)
                    FROM needed n JOIN dev ON dev.id = n.id JOIN down x ON x.device_id = n.id
                    WHERE dev.lo < dev.hi AND x.lo < dev.hi AND x.hi > dev.lo
                    GROUP BY dev.id
                    """), logger: logger
        ) {
            let (tag, id, code, count, operational, known, down, lo, hi) = try row.decode(
                (String, Int64, String, Int64, Double, Double, Double, PostgresTimestamp?, PostgresTimestamp?).self)
            if tag == "region" {
                totals[code] = (Int(count), CauseTally(operational: operational, known: known, own: down))
            } else {
                let start = lo?.date ?? windowEnd
                caused.append((id, code, start..<max(start, hi?.date ?? windowEnd), down))
            }
        }
        return (totals, caused)
    }

    /// The `count` devices under `region` with the lowest uptime, lowest first (nothing known counts
    /// as highest), then by external id; with their causes not yet split.
    private func lowestDevices(
        region: RegionCode?, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date, count: Int
    ) async throws -> [(id: Int64, life: Range<Date>, row: DeviceUptime)] {
        var rows: [(id: Int64, life: Range<Date>, row: DeviceUptime)] = []
        for try await (id, code, device, kind, operational, known, status, since, lo, hi) in try await client.query(
            Self.intervalSums(
                region: region, kind: kind, device: nil, window: window, timeZone: timeZone, now: now,
                then: """
                    SELECT per.id, per.region::text, per.external_id, per.kind, op, known, coalesce(s.status, 'unknown'), s.since, lo, hi
                    FROM (SELECT dev.id, dev.region, dev.external_id, dev.kind, dev.lo, dev.hi,
                                 coalesce(agg.operational, 0)::float8 AS op, coalesce(agg.known, 0)::float8 AS known
                          FROM dev LEFT JOIN agg ON agg.device_id = dev.id) per
                    LEFT JOIN device_state s ON s.device_id = per.id
                    ORDER BY CASE WHEN known > 0 THEN 100 * op / known ELSE 101 END, per.external_id COLLATE "C"
                    LIMIT \(max(0, count))
                    """), logger: logger
        ).decode((Int64, String, String, String, Double, Double, String, PostgresTimestamp?, PostgresTimestamp, PostgresTimestamp).self) {
            let row = DeviceUptime(
                device: device, kind: DeviceKind(rawValue: kind) ?? .cctv, region: code,
                uptimePct: UptimeTally(operational: operational, known: known).percent, operationalS: operational, knownS: known,
                status: DeviceStatus(rawValue: status) ?? .unknown, since: since?.date)
            rows.append((id, lo.date..<max(lo.date, hi.date), row))
        }
        return rows
    }

    /// The names of the regions at `depth` under `region`, by code.
    private func regionNames(under region: RegionCode?, depth: RegionLevel) async throws -> [String: String] {
        let filter = region?.rawValue ?? ""
        var names: [String: String] = [:]
        for try await (code, name) in try await client.query(
            "SELECT code::text, name FROM region WHERE (\(filter) = '' OR code <@ nullif(\(filter), '')::ltree) AND nlevel(code) = \(depth.depth)",
            logger: logger
        ).decode((String, String).self) { names[code] = name }
        return names
    }
}
