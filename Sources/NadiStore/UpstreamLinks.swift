import Foundation
import Logging
import NadiCore
import PostgresNIO

/// The upstream links an inventory batch asks for: checked before anything is written (the upstream
/// must exist, in the database or in the batch; no link may close a cycle), then written with their
/// history (`device_link`: a change closes the link that held and opens the new one, from now on).
enum UpstreamLinks {
    /// Reasons, by index, for the records whose upstream change is refused. With a `scope` (the
    /// writer's region), an upstream must lie within it or at one of its ancestor regions (a
    /// provincial backbone serving the city); any other is refused with the words an unknown id
    /// gets, and a cycle names hops outside the scope only as such.
    static func refusals(
        _ records: [(index: Int, record: DeviceRecord)], scope: RegionCode?, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int: String] {
        let changing = records.filter { $0.record.upstream != .keep }
        guard !changing.isEmpty else { return [:] }
        let targets = changing.compactMap { entry -> String? in
            if case .set(let target) = entry.record.upstream { return target }
            return nil
        }
        // The links that hold now along every chain the proposals touch.
        var links: [String: String] = [:]
        var linkable = Set<String>()
        var visible = Set<String>()
        for try await (device, region, upstream) in try await connection.query(
            """
            WITH RECURSIVE chain(id, upstream_id) AS (
                SELECT id, upstream_id FROM device WHERE external_id = ANY(\(targets + changing.map(\.record.externalID)))
                UNION
                SELECT d.id, d.upstream_id FROM device d JOIN chain c ON d.id = c.upstream_id
            )
            SELECT e.external_id, e.region::text, u.external_id
            FROM chain c JOIN device e ON e.id = c.id LEFT JOIN device u ON u.id = c.upstream_id
            """, logger: logger
        ).decode((String, String, String?).self) {
            let code = RegionCode(region)
            let within = scope.map { code?.isWithin($0) ?? false } ?? true
            let above = scope.map { scope in code.map { scope.isWithin($0) } ?? false } ?? true
            if within { visible.insert(device) }
            if within || above { linkable.insert(device) }
            if let upstream { links[device] = upstream }
        }
        let inBatch = Set(records.map(\.record.externalID))
        var graph = UpstreamGraph(upstream: links)
        var refused: [Int: String] = [:]
        for (index, record) in changing {
            if case .set(let target) = record.upstream, !linkable.contains(target), !inBatch.contains(target) {
                refused[index] = "upstream '\(target)' does not exist; register it first (or in the same batch)"
                continue
            }
            let named: Set<String>
            if case .set(let target) = record.upstream { named = [target] } else { named = [] }
            let reason = graph.propose(device: record.externalID, record.upstream) {
                visible.contains($0) || inBatch.contains($0) || named.contains($0)
            }
            if let reason { refused[index] = reason }
        }
        return refused
    }

    /// Writes the upstream of every stored record that changes it, keeping the history. A link
    /// named when a device is first registered (`registered`) holds from the start of its installed
    /// day in `timeZone`; a later change from the record's `upstream_since`, else from now. Links
    /// recorded from that moment on are replaced, and the one holding then ends there.
    static func apply(
        _ records: [DeviceRecord], registered: Set<String>, timeZone: TimeZone, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let changing = records.filter { $0.upstream != .keep }
        guard !changing.isEmpty else { return }
        let devices = changing.map(\.externalID)
        let upstreams: [String?] = changing.map {
            if case .set(let target) = $0.upstream { return target }
            return nil
        }
        let now = Date()
        let sinceByDevice = Dictionary(
            changing.map { record in
                (
                    record.externalID,
                    registered.contains(record.externalID) ? record.installed.start(in: timeZone) : record.upstreamSince ?? now
                )
            }, uniquingKeysWith: { first, _ in first })
        // Only links that really change: the device's current upstream differs.
        var changedDevices: [Int64] = []
        var changedUpstreams: [Int64?] = []
        var changedSince: [Date] = []
        for try await (device, externalID, upstream) in try await connection.query(
            """
            WITH wanted AS (
                SELECT d.id AS device_id, u.id AS upstream_id
                FROM unnest(\(devices)::text[], \(NullableArray(upstreams))::text[]) AS v(device, upstream)
                JOIN device d ON d.external_id = v.device
                LEFT JOIN device u ON u.external_id = v.upstream
            )
            UPDATE device d SET upstream_id = w.upstream_id, updated_at = now()
            FROM wanted w WHERE d.id = w.device_id AND d.upstream_id IS DISTINCT FROM w.upstream_id
            RETURNING d.id, d.external_id, d.upstream_id
            """, logger: logger
        ).decode((Int64, String, Int64?).self) {
            changedDevices.append(device)
            changedUpstreams.append(upstream)
            changedSince.append(sinceByDevice[externalID] ?? now)
        }
        guard !changedDevices.isEmpty else { return }
        let since = changedSince.map(\.pg)
        // History from `since` on is rewritten: later links go, the one holding then ends there
        // (separate statements: the open-link index must see the old link closed before the new one is added).
        _ = try await connection.query(
            """
            DELETE FROM device_link l USING unnest(\(changedDevices)::bigint[], \(since)::timestamptz[]) AS v(d, s)
            WHERE l.device_id = v.d AND l.valid_from >= v.s
            """, logger: logger)
        _ = try await connection.query(
            """
            UPDATE device_link l SET valid_to = v.s FROM unnest(\(changedDevices)::bigint[], \(since)::timestamptz[]) AS v(d, s)
            WHERE l.device_id = v.d AND (l.valid_to IS NULL OR l.valid_to > v.s)
            """, logger: logger)
        _ = try await connection.query(
            """
            INSERT INTO device_link (device_id, upstream_id, valid_from)
            SELECT d, u, s FROM unnest(\(changedDevices)::bigint[], \(NullableArray(changedUpstreams))::bigint[], \(since)::timestamptz[]) AS v(d, u, s)
            WHERE u IS NOT NULL
            """, logger: logger)
    }
}
