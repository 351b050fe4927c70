import Foundation
import NadiCore
import PostgresNIO

/// A device of a batch whose pings arrived late, out of order, or against a silence: its runs are
/// rebuilt from the stored ping before its earliest new one.
struct HistoryRecutRequest {
    var deviceID: Int64
    var earliest: Date
    var heartbeat: Heartbeat
    var newest: Date
    var previous: DeviceStatus
}

extension StateUpdater {
    /// Rebuilds the runs of every requested device from the stored ping before its `earliest` on,
    /// all devices at once: one query finds each device's ping before and the run holding then,
    /// one reads the pings from there; the timelines are then cut in memory.
    func recutFromHistory(_ requests: [HistoryRecutRequest], now: Date, on connection: PostgresConnection) async throws -> [Recut] {
        guard !requests.isEmpty else { return [] }
        var previous: [Int64: Date] = [:]
        var anchors: [Int64: StateRun] = [:]
        for try await (id, before, status, reason, start) in try await connection.query(
            """
            SELECT v.id, prev.at, i.status, i.reason, i.started_at
            FROM unnest(\(requests.map(\.deviceID))::bigint[], \(requests.map(\.earliest.pg))::timestamptz[]) AS v(id, earliest)
            LEFT JOIN LATERAL (
                SELECT p.observed_at AS at FROM ping p
                WHERE p.device_id = v.id AND p.observed_at < v.earliest ORDER BY p.observed_at DESC LIMIT 1
            ) prev ON true
            LEFT JOIN LATERAL (
                SELECT s.status, s.reason, s.started_at FROM status_interval s
                WHERE s.device_id = v.id AND s.started_at <= prev.at AND (s.ended_at IS NULL OR s.ended_at > prev.at)
                ORDER BY s.started_at DESC LIMIT 1
            ) i ON prev.at IS NOT NULL
            """, logger: logger
        ).decode((Int64, PostgresTimestamp?, String?, String?, PostgresTimestamp?).self) {
            guard let before else { continue }
            previous[id] = before.date
            if let status, let start {
                anchors[id] = StateRun(status: DeviceStatus(rawValue: status) ?? .down, reason: reason, start: start.date)
            }
        }
        let floors = requests.map { (previous[$0.deviceID] ?? $0.earliest).pg }
        var pings: [Int64: [TimelinePing]] = [:]
        for try await (id, at, status, reason) in try await connection.query(
            """
            SELECT p.device_id, p.observed_at, p.status, p.reason
            FROM unnest(\(requests.map(\.deviceID))::bigint[], \(floors)::timestamptz[]) AS v(id, floor)
            JOIN ping p ON p.device_id = v.id AND p.observed_at >= v.floor
            ORDER BY p.device_id, p.observed_at
            """, logger: logger
        ).decode((Int64, PostgresTimestamp, String, String?).self) {
            pings[id, default: []].append(TimelinePing(at: at.date, status: PingStatus(rawValue: status) ?? .down, reason: reason))
        }
        return requests.map { request in
            let before = previous[request.deviceID]
            let anchor = anchors[request.deviceID]
            let history = pings[request.deviceID] ?? []
            let runs = Timeline.runs(continuing: anchor, pings: history, heartbeat: request.heartbeat, now: now)
            return Recut(
                deviceID: request.deviceID, from: before == nil ? nil : (anchor?.start ?? before ?? request.earliest), runs: runs,
                lastSeen: max(request.newest, history.last?.at ?? request.newest), previous: request.previous)
        }
    }
}
