package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

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
    package var createdAt: Date
    /// Started before it was created: it changed figures already reported.
    package var retroactive: Bool

    enum CodingKeys: String, CodingKey {
        case id, device, region, kind, from, to, reason, retroactive
        case createdBy = "created_by"
        case cancelledAt = "cancelled_at"
        case createdAt = "created_at"
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
        try container.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try container.encode(retroactive, forKey: .retroactive)
    }
}

/// A window that cannot be added, with the reason (for the person or client who asked).
package struct MaintenanceRefused: Error, Sendable, CustomStringConvertible {
    package let code: MaintenanceProblem.Code
    package let description: String
}

/// A change only an admin may make (a window that rewrites the past), refused for the one who asked.
package struct MaintenanceForbidden: Error, Sendable, CustomStringConvertible {
    package var code: MaintenanceProblem.Code { .backdate }
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
        w.id, d.external_id, w.region::text, w.kind, w.starts_at, w.ends_at, w.reason, w.created_by, w.cancelled_at,
        w.created_at, w.retroactive
        """
    private typealias Columns = (
        Int64, String?, String?, String?, PostgresTimestamp, PostgresTimestamp, String, String, PostgresTimestamp?, PostgresTimestamp, Bool
    )

    private static func window(_ c: Columns) -> MaintenanceWindow {
        MaintenanceWindow(
            id: c.0, device: c.1, region: c.2, kind: c.3, from: c.4.date, to: c.5.date, reason: c.6, createdBy: c.7, cancelledAt: c.8?.date,
            createdAt: c.9.date, retroactive: c.10)
    }

    /// The words of a refused retroactive window.
    static let backdateRefusal =
        "the window starts in the past: a retroactive window changes figures already reported, so only an admin may create it (with a reason)"

    /// Adds `request`. Refused (`MaintenanceRefused`) when the device is unknown or outside `scope`
    /// (worded alike), the region is unknown or outside `scope`, or a window over the same target
    /// overlaps it; refused (`MaintenanceForbidden`) when it starts in the past and the creator may
    /// not backdate (only admins may).
    package func add(
        _ request: MaintenanceRequest, scope: RegionCode?, createdBy: String, mayBackdate: Bool = false, now: Date = Date()
    ) async throws -> MaintenanceWindow {
        if request.isRetroactive(now: now), !mayBackdate { throw MaintenanceForbidden(description: Self.backdateRefusal) }
        return try await client.transaction(logger: logger) { connection in
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
                guard deviceID != nil else { throw MaintenanceRefused(code: .unknownDevice, description: "unknown device '\(externalID)'") }
            case .region(let code, let deviceKind):
                if let scope, !code.isWithin(scope) {
                    throw MaintenanceRefused(code: .outsideRegion, description: "region \(code) is outside this token's region \(scope)")
                }
                let known = try await connection.query("SELECT 1 FROM region WHERE code = \(code.rawValue)::ltree", logger: logger)
                    .collect()
                guard !known.isEmpty else { throw MaintenanceRefused(code: .unknownRegion, description: "region \(code) does not exist") }
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
                    code: .overlap,
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
            throw MaintenanceRefused(code: .notStored, description: "the window was not stored")
        }
    }

    /// Windows within `scope` (and under `region`), newest first; with `activeAt`, only those not
    /// cancelled that cover that instant; otherwise those not cancelled that have not ended, and
    /// with `includeEnded` the ended ones too (the retroactive among them: they changed the past).
    package func list(
        scope: RegionCode?, region: RegionCode?, activeAt: Date?, includeCancelled: Bool = false, includeEnded: Bool = false
    ) async throws -> [MaintenanceWindow] {
        let scopeCode = scope?.rawValue ?? ""
        let regionCode = region?.rawValue ?? ""
        let now = Date()
        let ended = includeEnded || includeCancelled
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
                       ELSE \(ended) OR w.ends_at > \(now.pg) END
            ORDER BY w.starts_at DESC, w.id DESC
            """, logger: logger
        ).decode(Columns.self) {
            windows.append(Self.window(columns))
        }
        return windows
    }

    /// The retroactive windows (not cancelled) within `scope` and under `region` that overlap
    /// `window` and cover devices of `kind` (nil: any): the windows that changed a report's figures.
    package func retroactive(scope: RegionCode?, region: RegionCode?, kind: DeviceKind?, overlapping window: Range<Date>) async throws
        -> [MaintenanceWindow]
    {
        let scopeCode = scope?.rawValue ?? ""
        let regionCode = region?.rawValue ?? ""
        var windows: [MaintenanceWindow] = []
        for try await columns in try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            FROM maintenance_window w LEFT JOIN device d ON d.id = w.device_id
            WHERE w.retroactive AND w.cancelled_at IS NULL
              AND w.starts_at < \(window.upperBound.pg) AND w.ends_at > \(window.lowerBound.pg)
              AND (\(kind?.rawValue)::text IS NULL OR coalesce(w.kind, d.kind, \(kind?.rawValue)::text) = \(kind?.rawValue)::text)
              AND (\(scopeCode) = '' OR coalesce(w.region, d.region) <@ nullif(\(scopeCode), '')::ltree
                   OR nullif(\(scopeCode), '')::ltree <@ w.region)
              AND (\(regionCode) = '' OR coalesce(w.region, d.region) <@ nullif(\(regionCode), '')::ltree
                   OR nullif(\(regionCode), '')::ltree <@ w.region)
            ORDER BY w.starts_at, w.id
            """, logger: logger
        ).decode(Columns.self) {
            windows.append(Self.window(columns))
        }
        return windows
    }

    /// What a cancellation did.
    package enum Cancellation: Sendable, Equatable {
        /// The window had not started: it is cancelled whole (kept, marked).
        case cancelled
        /// The window was in force: it ends now, so the time already spent in it stays maintenance.
        case endedNow
        /// No such window open within the scope.
        case notFound
    }

    /// Cancels window `id` within `scope`: one that has not started is cancelled whole, one in force
    /// ends now (the past it covered is not rewritten). An ended window cannot be cancelled: that
    /// would rewrite reported figures.
    package func cancel(id: Int64, scope: RegionCode?, now: Date = Date()) async throws -> Cancellation {
        let scopeCode = scope?.rawValue ?? ""
        let rows = try await client.write(
            """
            UPDATE maintenance_window w
            SET cancelled_at = CASE WHEN w.starts_at > \(now.pg) THEN \(now.pg) ELSE NULL END,
                ends_at = CASE WHEN w.starts_at > \(now.pg) THEN w.ends_at ELSE greatest(\(now.pg), w.starts_at + interval '1 second') END
            WHERE w.id = \(id) AND w.cancelled_at IS NULL AND w.ends_at > \(now.pg)
              AND (\(scopeCode) = '' OR coalesce(w.region, (SELECT d.region FROM device d WHERE d.id = w.device_id)) <@ nullif(\(scopeCode), '')::ltree)
            RETURNING w.cancelled_at IS NOT NULL
            """, logger: logger)
        for row in rows { return try row.decode(Bool.self) ? .cancelled : .endedNow }
        return .notFound
    }
}
