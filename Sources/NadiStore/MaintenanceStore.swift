package import Foundation
package import Logging
package import NadiCore
package import PostgresNIO

/// A stored maintenance window.
package struct MaintenanceWindow: Sendable, Equatable, Encodable {
    package var id: Int64
    package var device: String?
    package var region: String?
    package var kind: String?
    package var from: Date
    package var to: Date
    package var reason: String
    package var createdBy: String
    package var cancelledAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, device, region, kind, from, to, reason
        case createdBy = "created_by"
        case cancelledAt = "cancelled_at"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(device, forKey: .device)
        try container.encode(region, forKey: .region)
        try container.encode(kind, forKey: .kind)
        try container.encode(Timestamp.format(from), forKey: .from)
        try container.encode(Timestamp.format(to), forKey: .to)
        try container.encode(reason, forKey: .reason)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(cancelledAt.map(Timestamp.format), forKey: .cancelledAt)
    }
}

/// A window that cannot be added, with the reason (for the person or client who asked).
package struct MaintenanceRefused: Error, Sendable, CustomStringConvertible {
    package let description: String
}

/// Maintenance windows: added, listed and cancelled within a region scope (a token's, or nil for
/// all of Indonesia).
package struct MaintenanceStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private static let columns = """
        w.id, d.external_id, w.region::text, w.kind, w.starts_at, w.ends_at, w.reason, w.created_by, w.cancelled_at
        """
    private typealias Columns = (Int64, String?, String?, String?, PostgresTimestamp, PostgresTimestamp, String, String, PostgresTimestamp?)

    private static func window(_ c: Columns) -> MaintenanceWindow {
        MaintenanceWindow(
            id: c.0, device: c.1, region: c.2, kind: c.3, from: c.4.date, to: c.5.date, reason: c.6, createdBy: c.7, cancelledAt: c.8?.date)
    }

    /// Adds `request`. Refused (`MaintenanceRefused`) when the device is unknown or outside `scope`
    /// (worded alike), the region is unknown or outside `scope`, or a window over the same target
    /// overlaps it.
    package func add(_ request: MaintenanceRequest, scope: RegionCode?, createdBy: String) async throws -> MaintenanceWindow {
        try await client.transaction(logger: logger) { connection in
            var deviceID: Int64?
            var region: RegionCode?
            var kind: DeviceKind?
            switch request.target {
            case .device(let externalID):
                for try await (id, code) in try await connection.query(
                    "SELECT id, region::text FROM device WHERE external_id = \(externalID)", logger: logger
                ).decode((Int64, String).self) {
                    if let code = RegionCode(code), scope.map({ code.isWithin($0) }) ?? true { deviceID = id }
                }
                guard deviceID != nil else { throw MaintenanceRefused(description: "unknown device '\(externalID)'") }
            case .region(let code, let deviceKind):
                if let scope, !code.isWithin(scope) {
                    throw MaintenanceRefused(description: "region \(code) is outside this token's region \(scope)")
                }
                let known = try await connection.query("SELECT 1 FROM region WHERE code = \(code.rawValue)::ltree", logger: logger)
                    .collect()
                guard !known.isEmpty else { throw MaintenanceRefused(description: "region \(code) does not exist") }
                region = code
                kind = deviceKind
            }
            for try await (id, start, end) in try await connection.query(
                """
                SELECT id, starts_at, ends_at FROM maintenance_window
                WHERE cancelled_at IS NULL AND starts_at < \(request.to.pg) AND ends_at > \(request.from.pg)
                  AND device_id IS NOT DISTINCT FROM \(deviceID) AND region::text IS NOT DISTINCT FROM \(region?.rawValue)
                  AND kind IS NOT DISTINCT FROM \(kind?.rawValue)
                LIMIT 1
                """, logger: logger
            ).decode((Int64, PostgresTimestamp, PostgresTimestamp).self) {
                throw MaintenanceRefused(
                    description:
                        "overlaps maintenance window #\(id) (\(Timestamp.format(start.date)) – \(Timestamp.format(end.date))) over the same target; change or cancel that one"
                )
            }
            let rows = try await connection.query(
                """
                WITH added AS (
                    INSERT INTO maintenance_window (device_id, region, kind, starts_at, ends_at, reason, created_by)
                    VALUES (\(deviceID), \(region?.rawValue)::ltree, \(kind?.rawValue), \(request.from.pg), \(request.to.pg), \(request.reason), \(createdBy))
                    RETURNING *
                )
                SELECT \(unescaped: Self.columns) FROM added w LEFT JOIN device d ON d.id = w.device_id
                """, logger: logger)
            for try await columns in rows.decode(Columns.self) { return Self.window(columns) }
            throw MaintenanceRefused(description: "the window was not stored")
        }
    }

    /// Windows within `scope` (and under `region`), newest first; with `activeAt`, only those not
    /// cancelled that cover that instant; otherwise those not cancelled that have not ended.
    package func list(scope: RegionCode?, region: RegionCode?, activeAt: Date?, includeCancelled: Bool = false) async throws
        -> [MaintenanceWindow]
    {
        let scopeCode = scope?.rawValue ?? ""
        let regionCode = region?.rawValue ?? ""
        let now = Date()
        var windows: [MaintenanceWindow] = []
        for try await columns in try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM maintenance_window w LEFT JOIN device d ON d.id = w.device_id
            WHERE (\(scopeCode) = '' OR coalesce(w.region, d.region) <@ nullif(\(scopeCode), '')::ltree)
              AND (\(regionCode) = '' OR coalesce(w.region, d.region) <@ nullif(\(regionCode), '')::ltree)
              AND (\(includeCancelled) OR w.cancelled_at IS NULL)
              AND CASE WHEN \(activeAt.map(\.pg))::timestamptz IS NOT NULL
                       THEN w.starts_at <= \(activeAt.map(\.pg))::timestamptz AND w.ends_at > \(activeAt.map(\.pg))::timestamptz
                       ELSE \(includeCancelled) OR w.ends_at > \(now.pg) END
            ORDER BY w.starts_at DESC, w.id DESC
            """, logger: logger
        ).decode(Columns.self) {
            windows.append(Self.window(columns))
        }
        return windows
    }

    /// Cancels window `id` if it lies within `scope` and is not cancelled yet; false otherwise.
    package func cancel(id: Int64, scope: RegionCode?) async throws -> Bool {
        let scopeCode = scope?.rawValue ?? ""
        let rows = try await client.query(
            """
            UPDATE maintenance_window w SET cancelled_at = now()
            WHERE w.id = \(id) AND w.cancelled_at IS NULL
              AND (\(scopeCode) = '' OR coalesce(w.region, (SELECT d.region FROM device d WHERE d.id = w.device_id)) <@ nullif(\(scopeCode), '')::ltree)
            RETURNING w.id
            """, logger: logger
        ).collect()
        return !rows.isEmpty
    }
}
