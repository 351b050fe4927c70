import Foundation
import NadiCore
import PostgresNIO

extension StateUpdater {
    /// Loads the stored neighbours of every late device of a batch at once: one query finds each
    /// device's ping before its earliest new one and the run holding then (with its stored end), one reads the pings from
    /// there (`StatePlanner.recut` rebuilds the runs from them). Each device's pings are read by
    /// its index range (a lateral subquery kept apart by `OFFSET 0`), never by hashing `ping`.
    func history(of late: [LateDevice], on connection: PostgresConnection) async throws -> [Int64: DeviceHistory] {
        guard !late.isEmpty else { return [:] }
        var history: [Int64: DeviceHistory] = [:]
        for row in try await connection.collectedRows(
            """
            SELECT v.id, prev.at, i.status, i.reason, i.started_at, i.ended_at
            FROM unnest(\(late.map(\.deviceID))::bigint[], \(late.map(\.earliest.pg))::timestamptz[]) AS v(id, earliest)
            LEFT JOIN LATERAL (
                SELECT p.observed_at AS at FROM ping p
                WHERE p.device_id = v.id AND p.observed_at < v.earliest ORDER BY p.observed_at DESC LIMIT 1
            ) prev ON true
            LEFT JOIN LATERAL (
                SELECT s.status, s.reason, s.started_at, s.ended_at FROM status_interval s
                WHERE s.device_id = v.id AND s.started_at <= prev.at AND (s.ended_at IS NULL OR s.ended_at > prev.at)
                ORDER BY s.started_at DESC LIMIT 1
            ) i ON prev.at IS NOT NULL
            """, logger: logger
        ) {
            let (id, before, status, reason, start, end) = try row.decode(
                (Int64, PostgresTimestamp?, String?, String?, PostgresTimestamp?, PostgresTimestamp?).self)
            guard let before else { continue }
            var known = DeviceHistory(previousPing: before.date)
            if let status, let start {
                known.anchor = StateRun(status: DeviceStatus(rawValue: status) ?? .down, reason: reason, start: start.date, end: end?.date)
            }
            history[id] = known
        }
        let floors = late.map { DeviceHistory.floor(previousPing: history[$0.deviceID]?.previousPing, earliest: $0.earliest).pg }
        for row in try await connection.collectedRows(
            """
            SELECT p.device_id, p.observed_at, p.status, p.reason
            FROM unnest(\(late.map(\.deviceID))::bigint[], \(floors)::timestamptz[]) AS v(id, floor)
            CROSS JOIN LATERAL (
                SELECT p.device_id, p.observed_at, p.status, p.reason FROM ping p
                WHERE p.device_id = v.id AND p.observed_at >= v.floor OFFSET 0
            ) p
            ORDER BY p.device_id, p.observed_at
            """, logger: logger
        ) {
            let (id, at, status, reason) = try row.decode((Int64, PostgresTimestamp, String, String?).self)
            history[id, default: DeviceHistory()].pings.append(
                TimelinePing(at: at.date, status: PingStatus(rawValue: status) ?? .down, reason: reason))
        }
        return history
    }
}
