package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A device with its current state, as the device view and `nadi devices list` show it.
package struct DeviceStateRow: Sendable, Equatable {
    package var rowID: Int64
    package var externalID: String
    package var kind: String
    package var region: String
    package var site: String?
    package var name: String
    package var installed: String
    package var decommissioned: String?
    package var intervalSeconds: Int
    package var status: String
    package var reason: String?
    package var since: Date?
    package var lastSeen: Date?
    /// The external id of the device's upstream, if it has one.
    package var upstream: String?
    /// The region of that upstream device.
    package var upstreamRegion: String?
}

/// The newest stored ping of a device.
package struct LastPingRow: Sendable, Equatable {
    package var at: Date
    package var status: String
    package var latencyMs: Float?
    package var reason: String?
    package var metricsJSON: String?
}

/// Which devices `list` returns.
package struct DeviceFilter: Sendable {
    package var region: RegionCode?
    package var kind: DeviceKind?
    package var status: DeviceStatus?
    /// Only devices down because they went silent, or never seen.
    package var silent = false

    package init(region: RegionCode? = nil, kind: DeviceKind? = nil, status: DeviceStatus? = nil, silent: Bool = false) {
        self.region = region
        self.kind = kind
        self.status = status
        self.silent = silent
    }
}

/// Devices and their current state (`device` joined with `device_state`).
///
/// One definition of "never seen", used by every reader: a device without a `device_state` row,
/// or whose state is `unknown`, has status `unknown` and reason `never_seen`.
package struct DeviceStateStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The select list shared by `device` and `list`.
    private static let columns = """
        d.id, d.external_id, d.kind, d.region::text, d.site, d.name, d.installed_on::text, d.decommissioned_on::text, d.interval_s,
        coalesce(s.status, 'unknown'),
        coalesce(s.reason, CASE WHEN s.status IS NULL OR s.status = 'unknown' THEN 'never_seen' END),
        s.since, s.last_seen, (SELECT u.external_id FROM device u WHERE u.id = d.upstream_id),
        (SELECT u.region::text FROM device u WHERE u.id = d.upstream_id)
        """

    private typealias Columns = (
        Int64, String, String, String, String?, String, String, String?, Int, String, String?, PostgresTimestamp?, PostgresTimestamp?,
        String?, String?
    )

    private static func row(_ c: Columns) -> DeviceStateRow {
        DeviceStateRow(
            rowID: c.0, externalID: c.1, kind: c.2, region: c.3, site: c.4, name: c.5, installed: c.6, decommissioned: c.7,
            intervalSeconds: c.8, status: c.9, reason: c.10, since: c.11?.date, lastSeen: c.12?.date, upstream: c.13,
            upstreamRegion: c.14)
    }

    /// The device `externalID` with its state, when it lies within `scope` (nil: anywhere). On a
    /// federation's subscriber two origins may use one external id: this database's own device
    /// comes first, then the lowest id.
    package func device(_ externalID: String, within scope: RegionCode?) async throws -> DeviceStateRow? {
        for try await columns in try await client.query(
            """
            SELECT \(unescaped: Self.columns) FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE d.external_id = \(externalID) AND (\(scope?.rawValue ?? "") = '' OR d.region <@ \(scope?.rawValue ?? "")::ltree)
            ORDER BY nadi_origin_of(d.id) = nadi_local_origin() DESC, d.id LIMIT 1
            """,
            logger: logger
        ).decode(Columns.self) {
            return Self.row(columns)
        }
        return nil
    }

    /// How many devices depend on the device with row id `rowID`: those whose chain of upstream
    /// links passes through it.
    package func dependents(rowID: Int64) async throws -> Int {
        for try await count in try await client.query(
            """
            WITH RECURSIVE below(id) AS (
                SELECT id FROM device WHERE upstream_id = \(rowID)
                UNION
                SELECT d.id FROM device d JOIN below b ON d.upstream_id = b.id
            )
            SELECT count(*)::int8 FROM below WHERE id <> \(rowID)
            """, logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    /// The newest stored ping of the device with row id `rowID`.
    package func lastPing(rowID: Int64) async throws -> LastPingRow? {
        for try await (at, status, latency, reason, metrics) in try await client.query(
            "SELECT observed_at, status, latency_ms, reason, metrics::text FROM ping WHERE device_id = \(rowID) ORDER BY observed_at DESC LIMIT 1",
            logger: logger
        ).decode((PostgresTimestamp, String, Float?, String?, String?).self) {
            return LastPingRow(at: at.date, status: status, latencyMs: latency, reason: reason, metricsJSON: metrics)
        }
        return nil
    }

    /// Devices in service (not decommissioned) matching `filter`, by region and id.
    package func list(_ filter: DeviceFilter) async throws -> [DeviceStateRow] {
        let region = filter.region?.rawValue ?? ""
        let kind = filter.kind?.rawValue ?? ""
        let status = filter.status?.rawValue ?? ""
        var rows: [DeviceStateRow] = []
        for try await columns in try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE (\(region) = '' OR d.region <@ nullif(\(region), '')::ltree)
              AND (\(kind) = '' OR d.kind = \(kind))
              AND (\(status) = '' OR coalesce(s.status, 'unknown') = \(status))
              AND (NOT \(filter.silent) OR coalesce(s.status, 'unknown') = 'unknown' OR (s.status = 'down' AND s.reason = 'silent'))
              AND NOT nadi_decommissioned_by(d.decommissioned_on, current_date)
            ORDER BY d.region, d.external_id
            """, logger: logger
        ).decode(Columns.self) {
            rows.append(Self.row(columns))
        }
        return rows
    }

    /// Devices in service by kind and state, every pair present (zero where none).
    package func counts(region: RegionCode? = nil) async throws -> [(kind: DeviceKind, status: DeviceStatus, count: Int)] {
        var counts: [String: Int] = [:]
        let filter = region?.rawValue ?? ""
        for try await (kind, status, count) in try await client.query(
            """
            SELECT d.kind, coalesce(s.status, 'unknown'), count(*)::int8 FROM device d
            LEFT JOIN device_state s ON s.device_id = d.id
            WHERE NOT nadi_decommissioned_by(d.decommissioned_on, current_date)
              AND (\(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree)
            GROUP BY 1, 2
            """, logger: logger
        ).decode((String, String, Int).self) { counts[kind + "/" + status] = count }
        return DeviceKind.allCases.flatMap { kind in
            DeviceStatus.allCases.map { (kind, $0, counts[kind.rawValue + "/" + $0.rawValue] ?? 0) }
        }
    }

    /// Devices in service by kabupaten/kota, kind and state (only pairs with devices), with how
    /// many of them are down because they went silent (`/metrics`).
    package func countsByRegency() async throws -> [(regency: String, kind: String, status: String, count: Int, silent: Int)] {
        var rows: [(String, String, String, Int, Int)] = []
        for try await row in try await client.query(
            """
            SELECT subpath(d.region, 0, least(2, nlevel(d.region)))::text, d.kind, coalesce(s.status, 'unknown'), count(*)::int8,
                   (count(*) FILTER (WHERE s.status = 'down' AND s.reason = 'silent'))::int8
            FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE NOT nadi_decommissioned_by(d.decommissioned_on, current_date)
            GROUP BY 1, 2, 3
            """, logger: logger
        ).decode((String, String, String, Int, Int).self) { rows.append(row) }
        return rows.map { (regency: $0.0, kind: $0.1, status: $0.2, count: $0.3, silent: $0.4) }
    }

    /// The newest last-seen time of any device under `region` (the HTML report's "data as of").
    package func newestSeen(region: RegionCode? = nil) async throws -> Date? {
        let filter = region?.rawValue ?? ""
        for try await value in try await client.query(
            """
            SELECT max(s.last_seen) FROM device_state s JOIN device d ON d.id = s.device_id
            WHERE \(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree
            """, logger: logger
        ).decode(
            PostgresTimestamp?.self)
        {
            return value?.date
        }
        return nil
    }
}
