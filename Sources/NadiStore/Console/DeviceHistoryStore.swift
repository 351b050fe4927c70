package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A stored ping with its metrics, as the device page lists it.
package struct RecentPing: Sendable, Equatable {
    package var at: Date
    package var status: String
    package var latencyMs: Float?
    package var reason: String?
    package var metrics: [String: Double]
}

/// A device's neighbours in the upstream tree, as the device page lists them.
package struct DeviceNeighbour: Sendable, Equatable {
    package var externalID: String
    package var name: String
    package var kind: String
    package var status: String
    package var region: String
}

/// What the device page shows beyond the current state: its state intervals over a window, its
/// newest pings, its upstream chain and its direct dependents.
package struct DeviceHistoryStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The state intervals of `rowID` overlapping `window`, oldest first (open intervals end at nil).
    package func intervals(rowID: Int64, window: Range<Date>) async throws -> [StateRun] {
        var runs: [StateRun] = []
        for try await (status, reason, start, end) in try await client.query(
            """
            SELECT status, reason, started_at, ended_at FROM status_interval
            WHERE device_id = \(rowID) AND started_at < \(window.upperBound.pg)
              AND (ended_at IS NULL OR ended_at > \(window.lowerBound.pg))
            ORDER BY started_at
            """, logger: logger
        ).decode((String, String?, PostgresTimestamp, PostgresTimestamp?).self) {
            guard let status = DeviceStatus(rawValue: status) else { continue }
            runs.append(StateRun(status: status, reason: reason, start: start.date, end: end?.date))
        }
        return runs
    }

    /// Why `rowID` was down over `window`: its non-operational stretches cut where the cause
    /// changes (NadiCore's `CauseAttribution.downSegments`). A device with no upstream link and no
    /// maintenance window in the window was down on its own account throughout: empty.
    package func downCauses(rowID: Int64, window: Range<Date>, now: Date) async throws -> [CauseAttribution.DownSegment] {
        let (needed, attribution) = try await CauseQuery(client: client, logger: logger).attribution(
            for: [rowID], window: window, now: now)
        guard needed.contains(rowID) else { return [] }
        return attribution.downSegments(rowID, over: window)
    }

    /// The newest `limit` pings of `rowID`, newest first, with their numeric metrics.
    package func recentPings(rowID: Int64, limit: Int) async throws -> [RecentPing] {
        var pings: [RecentPing] = []
        for try await (at, status, latency, reason, metrics) in try await client.query(
            """
            SELECT observed_at, status, latency_ms, reason, metrics::text FROM ping
            WHERE device_id = \(rowID) ORDER BY observed_at DESC LIMIT \(limit)
            """, logger: logger
        ).decode((PostgresTimestamp, String, Float?, String?, String?).self) {
            var numbers: [String: Double] = [:]
            if let metrics, case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(metrics.utf8)) {
                for (key, value) in fields { if case .number(let number) = value { numbers[key] = number } }
            }
            pings.append(RecentPing(at: at.date, status: status, latencyMs: latency, reason: reason, metrics: numbers))
        }
        return pings
    }

    /// The chain of devices `rowID` depends on, nearest first (at most 16).
    package func upstreamChain(rowID: Int64) async throws -> [DeviceNeighbour] {
        var chain: [DeviceNeighbour] = []
        for try await (id, name, kind, status, region) in try await client.query(
            """
            WITH RECURSIVE up(id, depth) AS (
                SELECT upstream_id, 1 FROM device WHERE id = \(rowID) AND upstream_id IS NOT NULL
                UNION ALL
                SELECT d.upstream_id, up.depth + 1 FROM device d JOIN up ON d.id = up.id
                WHERE d.upstream_id IS NOT NULL AND up.depth < 16
            )
            SELECT d.external_id, d.name, d.kind, coalesce(s.status, 'unknown'), d.region::text
            FROM up JOIN device d ON d.id = up.id LEFT JOIN device_state s ON s.device_id = d.id
            ORDER BY up.depth
            """, logger: logger
        ).decode((String, String, String, String, String).self) {
            chain.append(DeviceNeighbour(externalID: id, name: name, kind: kind, status: status, region: region))
        }
        return chain
    }

    /// The devices that name `rowID` as their upstream, by id (at most `limit`).
    package func directDependents(rowID: Int64, limit: Int) async throws -> [DeviceNeighbour] {
        var list: [DeviceNeighbour] = []
        for try await (id, name, kind, status, region) in try await client.query(
            """
            SELECT d.external_id, d.name, d.kind, coalesce(s.status, 'unknown'), d.region::text
            FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE d.upstream_id = \(rowID) ORDER BY d.external_id LIMIT \(limit)
            """, logger: logger
        ).decode((String, String, String, String, String).self) {
            list.append(DeviceNeighbour(externalID: id, name: name, kind: kind, status: status, region: region))
        }
        return list
    }
}
