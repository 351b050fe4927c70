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

    /// The region table at `depth` under `region` and the `lowest` devices with the lowest uptime,
    /// from one pass over the intervals.
    package func summary(
        region: RegionCode?, depth: RegionLevel, kind: DeviceKind?, window: Range<Date>, timeZone: TimeZone, now: Date = Date(),
        lowest: Int
    ) async throws -> UptimeSummary {
        let windowEnd = min(window.upperBound, now)
        let level = depth.depth
        var totals: [String: (devices: Int, tally: CauseTally)] = [:]
        var lowestRows: [(id: Int64, life: Range<Date>, row: DeviceUptime)] = []
        // Devices with down time and an upstream link or a maintenance window over the window: the
        // only ones whose down time may not be all their own.
        var caused: [(id: Int64, region: String, life: Range<Date>, operational: Double, known: Double)] = []
        for try await (tag, id, code, device, kind, count, operational, known, own, status, since, lo, hi) in try await client.query(
            Self.intervalSums(
                region: region, kind: kind, device: nil, window: window, timeZone: timeZone, now: now,
                then: """
                    , per AS MATERIALIZED (
                        SELECT dev.id, dev.external_id, dev.kind, dev.region, dev.lo, dev.hi,
                               coalesce(agg.operational, 0)::float8 AS op, coalesce(agg.known, 0)::float8 AS known,
                               -- Only non-operational time is split, so a device with none needs no causes.
                               -- The sets are read once for the whole window (hashed), not per device;
                               -- the split itself keeps to each device's life.
                               coalesce(agg.known, 0) > coalesce(agg.operational, 0)
                               AND (dev.id IN (SELECT l.device_id FROM device_link l
                                               WHERE l.valid_from < (SELECT hi FROM win) AND coalesce(l.valid_to, 'infinity') > (SELECT lo FROM win))
                                    OR dev.id IN (SELECT w.device_id FROM maintenance_window w
                                                  WHERE w.device_id IS NOT NULL AND w.cancelled_at IS NULL
                                                    AND w.starts_at < (SELECT hi FROM win) AND w.ends_at > (SELECT lo FROM win))
                                    OR dev.id IN (SELECT d.id FROM maintenance_window w
                                                  JOIN device d ON d.region <@ w.region AND (w.kind IS NULL OR w.kind = d.kind)
                                                  WHERE w.region IS NOT NULL AND w.cancelled_at IS NULL
                                                    AND w.starts_at < (SELECT hi FROM win) AND w.ends_at > (SELECT lo FROM win)))
                                   AS caused
                        FROM dev LEFT JOIN agg ON agg.device_id = dev.id
                    )
                    SELECT 'region', 0::int8, subpath(region, 0, \(level))::text, NULL::text, NULL::text, count(*),
                           sum(op), sum(known), coalesce(sum(known - op) FILTER (WHERE NOT caused), 0)::float8,
                           NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz
                    FROM per WHERE nlevel(region) >= \(level) GROUP BY 3
                    UNION ALL
                    SELECT 'caused', id, region::text, NULL, NULL, 0, op, known, 0, NULL, NULL, lo, hi FROM per WHERE caused
                    UNION ALL
                    (SELECT 'device', per.id, per.region::text, per.external_id, per.kind, 0, op, known, 0,
                            coalesce(s.status, 'unknown'), s.since, lo, hi
                     FROM per LEFT JOIN device_state s ON s.device_id = per.id
                     ORDER BY CASE WHEN known > 0 THEN 100 * op / known ELSE 101 END, per.external_id COLLATE "C"
                     LIMIT \(max(0, lowest)))
                    """), logger: logger
        ).decode(
            (
                String, Int64, String, String?, String?, Int64, Double, Double, Double, String?, PostgresTimestamp?, PostgresTimestamp?,
                PostgresTimestamp?
            ).self)
        {
            let life = (lo?.date ?? windowEnd)..<max(lo?.date ?? windowEnd, hi?.date ?? windowEnd)
            switch tag {
            case "region":
                totals[code] = (Int(count), CauseTally(operational: operational, known: known, own: own))
            case "caused":
                caused.append((id, code, life, operational, known))
            default:
                let row = DeviceUptime(
                    device: device ?? "", kind: kind.flatMap(DeviceKind.init(rawValue:)) ?? .cctv, region: code,
                    uptimePct: UptimeTally(operational: operational, known: known).percent, operationalS: operational, knownS: known,
                    status: status.flatMap(DeviceStatus.init(rawValue:)) ?? .unknown, since: since?.date)
                lowestRows.append((id, life, row))
            }
        }
        let attribution = try await CauseQuery(client: client, logger: logger).attribution(
            needed: Set(caused.map(\.id)), window: window.lowerBound..<windowEnd, now: now)
        for device in caused {
            guard let code = RegionCode(device.region)?.ancestor(at: depth)?.rawValue, let total = totals[code] else { continue }
            let split = attribution.tally(device.id, over: device.life)
            totals[code] = (
                total.devices, total.tally + CauseTally(own: split.own, upstream: split.upstream, maintenance: split.maintenance)
            )
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
