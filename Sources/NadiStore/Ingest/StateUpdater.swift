import Foundation
import Logging
import NadiCore
import PostgresNIO

/// Keeps `device_state` and `status_interval` equal to DESIGN.md's timeline of the stored pings.
///
/// The common case (a newer ping, same status, no missed heartbeats) writes nothing: the device's
/// newest time is kept in memory (`SeenTime`) and written later, in bulk, by the writer. A change of status or a gap
/// re-cuts only the open interval; a late or out-of-order ping re-cuts the device's intervals from
/// the ping before it. Runs inside the writer's transaction, so state and pings commit together,
/// and so does the outbox event of every change of status (`AlertOutbox`).
struct StateUpdater {
    /// A device whose intervals from `from` on are replaced by `runs`.
    struct Recut {
        var deviceID: Int64
        var from: Date?
        var runs: [StateRun]
        var lastSeen: Date
        /// The status `device_state` held before this batch.
        var previous: DeviceStatus
    }

    let logger: Logger
    let missCount: Int
    /// This process's id in `device_state.writer`: devices marked with it have their newest ping
    /// time in this process's memory (`pendingSeen`); any other mark means the stored pings say.
    let writerID: UUID

    /// What `apply` did.
    struct Applied: Sendable {
        /// The newest ping time of the devices whose state did not change, with what
        /// `device_state` holds now (to write later).
        var seen: [Int64: SeenTime]
        /// The batch's devices' rows as this transaction leaves them, for the writer's copy.
        var cache: DeviceStateCache.Update
        /// Rows taken from the writer's copy, and rows read from the table.
        var served: Int
        var read: Int
    }

    /// Applies the newly stored pings (per device, any order). The rows of `cached` are used
    /// instead of reading them when nobody changed `device_state` since they were written.
    func apply(
        stored: [Int64: [TimelinePing]], intervals: [Int64: Int], pendingSeen: [Int64: SeenTime],
        cached: DeviceStateCache.Snapshot, now: Date, on connection: PostgresConnection
    ) async throws -> Applied {
        // From here to the commit no other instance changes device state (schema part 12).
        try await StateLock.take(on: connection, logger: logger)
        let before = try await DeviceStateEpoch.read(on: connection, logger: logger)
        var current = cached.epoch == before ? cached.rows : [:]
        let missing = stored.keys.filter { current[$0] == nil }
        var foreign: Set<Int64> = []
        if !missing.isEmpty {
            let rows = try await connection.query(
                """
                SELECT device_id, status, reason, since, last_seen, writer IS NOT DISTINCT FROM \(writerID)
                FROM device_state WHERE device_id = ANY(\(missing))
                """, logger: logger)
            for try await (id, status, reason, since, lastSeen, mine) in rows.decode(
                (Int64, String, String?, PostgresTimestamp?, PostgresTimestamp?, Bool).self)
            {
                current[id] = CurrentState(
                    status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason, since: since?.date, lastSeen: lastSeen?.date)
                if !mine { foreign.insert(id) }
            }
        }
        let (interleaved, storedBefore) = try await reconcile(foreign, stored: stored, current: current, on: connection)
        var seen: [Int64: SeenTime] = [:]
        var recuts: [Recut] = []
        var late: [HistoryRecutRequest] = []
        for (id, unsorted) in stored {
            let pings = unsorted.sorted { $0.at < $1.at }
            guard let first = pings.first, let last = pings.last else { continue }
            let heartbeat = Heartbeat(interval: TimeInterval(intervals[id] ?? 60), missCount: missCount)
            var state = current[id] ?? CurrentState(status: .unknown)
            let storedLastSeen = state.lastSeen
            if let pending = pendingSeen[id]?.newest, pending > (state.lastSeen ?? .distantPast) { state.lastSeen = pending }
            if let before = storedBefore[id], before > (state.lastSeen ?? .distantPast) { state.lastSeen = before }
            let newest = max(last.at, state.lastSeen ?? last.at)

            if state.status == .unknown || state.lastSeen == nil {
                // First pings of this device: build its history from scratch.
                let runs = Timeline.runs(continuing: nil, pings: pings, heartbeat: heartbeat, now: now)
                recuts.append(Recut(deviceID: id, from: nil, runs: runs, lastSeen: newest, previous: state.status))
                continue
            }
            let lastSeen = state.lastSeen ?? first.at
            let silentNow = state.status == .down && state.reason == StatusReason.silent
            if first.at > lastSeen && !interleaved.contains(id)
                && !(silentNow && first.at.timeIntervalSince(lastSeen) <= heartbeat.silenceAfter)
            {
                // In order: continue the open run.
                var gaps = [first.at.timeIntervalSince(lastSeen)]
                for (a, b) in zip(pings, pings.dropFirst()) { gaps.append(b.at.timeIntervalSince(a.at)) }
                let unchanged =
                    !silentNow && pings.allSatisfy { $0.status.deviceStatus == state.status }
                    && gaps.allSatisfy { $0 <= heartbeat.silenceAfter }
                if unchanged {
                    seen[id] = SeenTime(newest: newest, stored: storedLastSeen, interval: intervals[id] ?? 60)
                    continue
                }
                guard let since = state.since else { continue }
                let anchor = StateRun(status: state.status, reason: state.reason, start: since)
                let lead = silentNow ? [] : [TimelinePing(at: lastSeen, status: pingStatus(state.status), reason: state.reason)]
                let runs = Timeline.runs(continuing: anchor, pings: lead + pings, heartbeat: heartbeat, now: now)
                recuts.append(Recut(deviceID: id, from: since, runs: runs, lastSeen: newest, previous: state.status))
            } else {
                // Late, out of order, or contradicting a silence: re-cut from the ping before, with
                // every other such device of the batch at once (below).
                late.append(
                    HistoryRecutRequest(deviceID: id, earliest: first.at, heartbeat: heartbeat, newest: newest, previous: state.status))
            }
        }
        recuts += try await recutFromHistory(late, now: now, on: connection)
        var own = try await write(recuts, now: now, on: connection)
        let claimed = foreign.subtracting(recuts.map(\.deviceID))
        if !claimed.isEmpty {
            _ = try await connection.query(
                "UPDATE device_state SET writer = \(writerID) WHERE device_id = ANY(\(Array(claimed)))", logger: logger)
            own += 1
        }
        // Every row of `current` now carries this writer's id; the re-cut ones changed.
        var committed = current
        for recut in recuts {
            guard let row = committed[recut.deviceID], let run = recut.runs.last else { continue }
            committed[recut.deviceID] = CurrentState(
                status: run.status, reason: run.reason, since: run.start, lastSeen: max(row.lastSeen ?? recut.lastSeen, recut.lastSeen))
        }
        let after = try await DeviceStateEpoch.read(on: connection, logger: logger)
        return Applied(
            seen: seen, cache: DeviceStateCache.Update(step: .init(before: before, after: after, own: own), rows: committed),
            served: stored.count - missing.count, read: missing.count)
    }

    /// For devices another instance (or an earlier run of this one) wrote last, `last_seen` may lag:
    /// returns the newest stored ping before this batch's first (to use instead), and the devices
    /// with other pings at or after this batch's first, which must be re-cut from history.
    private func reconcile(
        _ foreign: Set<Int64>, stored: [Int64: [TimelinePing]], current: [Int64: CurrentState], on connection: PostgresConnection
    ) async throws -> (interleaved: Set<Int64>, before: [Int64: Date]) {
        var ids: [Int64] = []
        var firsts: [PostgresTimestamp] = []
        var floors: [PostgresTimestamp] = []
        var counts: [Int64: Int] = [:]
        for id in foreign {
            guard let state = current[id], state.status != .unknown, let lastSeen = state.lastSeen,
                let pings = stored[id], let first = pings.map(\.at).min()
            else { continue }
            ids.append(id)
            firsts.append(first.pg)
            floors.append(lastSeen.pg)
            counts[id] = pings.count
        }
        guard !ids.isEmpty else { return ([], [:]) }
        var interleaved: Set<Int64> = []
        var newest: [Int64: Date] = [:]
        for try await (id, before, fromFirst) in try await connection.query(
            """
            SELECT v.id,
                   (SELECT max(p.observed_at) FROM ping p WHERE p.device_id = v.id AND p.observed_at >= v.floor AND p.observed_at < v.first),
                   (SELECT count(*) FROM ping p WHERE p.device_id = v.id AND p.observed_at >= v.first)::int
            FROM unnest(\(ids)::bigint[], \(firsts)::timestamptz[], \(floors)::timestamptz[]) AS v(id, first, floor)
            """, logger: logger
        ).decode((Int64, PostgresTimestamp?, Int).self) {
            if let before { newest[id] = before.date }
            if fromFirst > counts[id] ?? 0 { interleaved.insert(id) }
        }
        return (interleaved, newest)
    }

    private func pingStatus(_ status: DeviceStatus) -> PingStatus {
        switch status {
        case .up: .up
        case .degraded: .degraded
        case .down, .unknown: .down
        }
    }

    /// Replaces the intervals of each re-cut device from its `from` on, sets its state, and records
    /// the devices whose status changed in the outbox. Returns how many statements changed `device_state`.
    func write(_ recuts: [Recut], now: Date, on connection: PostgresConnection) async throws -> Int {
        guard !recuts.isEmpty else { return 0 }
        let far = Date(timeIntervalSince1970: -2_000_000_000)
        _ = try await connection.execute(
            StateStatements.DeleteIntervals(devices: recuts.map(\.deviceID), from: recuts.map { ($0.from ?? far).pg }), logger: logger)
        let runs = recuts.flatMap { recut in recut.runs.map { (recut.deviceID, $0) } }
        _ = try await connection.execute(
            StateStatements.UpsertRuns(
                devices: runs.map(\.0), statuses: runs.map(\.1.status.rawValue), reasons: NullableArray(runs.map(\.1.reason)),
                starts: runs.map(\.1.start.pg), ends: NullableArray(runs.map { $0.1.end?.pg })), logger: logger)
        let finals = recuts.compactMap { recut in recut.runs.last.map { (recut.deviceID, $0, recut.lastSeen) } }
        _ = try await connection.execute(
            StateStatements.UpdateStates(
                devices: finals.map(\.0), statuses: finals.map(\.1.status.rawValue), reasons: NullableArray(finals.map(\.1.reason)),
                since: finals.map(\.1.start.pg), seen: finals.map(\.2.pg), writer: writerID), logger: logger)
        let changes = recuts.compactMap { recut -> AlertOutbox.Change? in
            guard let run = recut.runs.last, run.status != recut.previous else { return nil }
            return AlertOutbox.Change(deviceID: recut.deviceID, from: recut.previous, to: run.status, at: run.start, reason: run.reason)
        }
        try await AlertOutbox(logger: logger).record(changes, now: now, on: connection)
        return 1
    }
}
