import Foundation
import Logging
import NadiCore
import PostgresNIO

/// Keeps `device_state` and `status_interval` equal to DESIGN.md's timeline of the stored pings:
/// loads what `StatePlanner` needs about a batch's devices, asks it, and applies its plan.
///
/// The common case (a newer ping, same status, no missed heartbeats) writes nothing: the device's
/// newest time is kept in memory (`SeenTime`) and written later, in bulk, by the writer. Runs inside
/// the writer's transaction, so state and pings commit together, and so does the outbox event of
/// every change of status (`AlertOutbox`).
struct StateUpdater {
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
            let rows = try await connection.collectedRows(
                """
                SELECT device_id, status, reason, since, last_seen, writer IS NOT DISTINCT FROM \(writerID)
                FROM device_state WHERE device_id = ANY(\(missing))
                """, logger: logger)
            for row in rows {
                let (id, status, reason, since, lastSeen, mine) = try row.decode(
                    (Int64, String, String?, PostgresTimestamp?, PostgresTimestamp?, Bool).self)
                current[id] = CurrentState(
                    status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason, since: since?.date, lastSeen: lastSeen?.date)
                if !mine { foreign.insert(id) }
            }
        }
        let (interleaved, storedBefore) = try await reconcile(foreign, stored: stored, current: current, on: connection)
        var facts: [Int64: DeviceBatchFacts] = [:]
        facts.reserveCapacity(stored.count)
        for (id, pings) in stored {
            let pending = pendingSeen[id]?.newest
            let known = storedBefore[id].map { before in max(before, pending ?? before) } ?? pending
            facts[id] = DeviceBatchFacts(
                state: current[id]?.planned, knownNewest: known, interleaved: interleaved.contains(id),
                heartbeat: Heartbeat(interval: TimeInterval(intervals[id] ?? 60), missCount: missCount), pings: pings)
        }
        let plan = StatePlanner.plan(facts, now: now)
        let history = try await history(of: plan.late, on: connection)
        let late = StatePlanner.recut(plan.late, history: history, now: now)
        let recuts = plan.recuts + late.recuts
        var seen: [Int64: SeenTime] = [:]
        seen.reserveCapacity(plan.unchanged.count + late.unchanged.count)
        // (A device is in one of the two: late devices are not in `plan.unchanged`.)
        for (id, newest) in [plan.unchanged, late.unchanged].joined() {
            seen[id] = SeenTime(newest: newest, stored: current[id]?.lastSeen, interval: intervals[id] ?? 60)
        }
        var own = try await write(StatePlanner.writes(for: recuts), now: now, on: connection)
        let claimed = foreign.subtracting(recuts.map(\.deviceID))
        if !claimed.isEmpty {
            _ = try await connection.query(
                "UPDATE device_state SET writer = \(writerID) WHERE device_id = ANY(\(Array(claimed)))", logger: logger)
            own += 1
        }
        // Every row of `current` now carries this writer's id; the re-cut ones changed.
        var committed = current
        for recut in recuts {
            guard let row = committed[recut.deviceID], let state = recut.state(over: row.planned) else { continue }
            committed[recut.deviceID] = CurrentState(state)
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
        for row in try await connection.collectedRows(
            """
            SELECT v.id,
                   (SELECT max(p.observed_at) FROM ping p WHERE p.device_id = v.id AND p.observed_at >= v.floor AND p.observed_at < v.first),
                   (SELECT count(*) FROM ping p WHERE p.device_id = v.id AND p.observed_at >= v.first)::int
            FROM unnest(\(ids)::bigint[], \(firsts)::timestamptz[], \(floors)::timestamptz[]) AS v(id, first, floor)
            """, logger: logger
        ) {
            let (id, before, fromFirst) = try row.decode((Int64, PostgresTimestamp?, Int).self)
            if let before { newest[id] = before.date }
            if fromFirst > counts[id] ?? 0 { interleaved.insert(id) }
        }
        return (interleaved, newest)
    }

    /// Applies a batch's re-cuts: replaces the intervals of each re-cut device from its `from` on,
    /// sets its state, and records the devices whose status changed in the outbox. Returns how many
    /// statements changed `device_state`.
    func write(_ writes: StateWrites, now: Date, on connection: PostgresConnection) async throws -> Int {
        guard !writes.deletions.isEmpty else { return 0 }
        let far = Date(timeIntervalSince1970: -2_000_000_000)
        _ = try await connection.execute(
            StateStatements.DeleteIntervals(devices: writes.deletions.map(\.device), from: writes.deletions.map { ($0.from ?? far).pg }),
            logger: logger)
        _ = try await connection.execute(
            StateStatements.UpsertRuns(
                devices: writes.runs.map(\.device), statuses: writes.runs.map(\.run.status.rawValue),
                reasons: NullableArray(writes.runs.map(\.run.reason)), starts: writes.runs.map(\.run.start.pg),
                ends: NullableArray(writes.runs.map { $0.run.end?.pg })), logger: logger)
        _ = try await connection.execute(
            StateStatements.UpdateStates(
                devices: writes.states.map(\.device), statuses: writes.states.map(\.run.status.rawValue),
                reasons: NullableArray(writes.states.map(\.run.reason)), since: writes.states.map(\.run.start.pg),
                seen: writes.states.map(\.lastSeen.pg), writer: writerID), logger: logger)
        try await AlertOutbox(logger: logger).record(writes.changes, now: now, on: connection)
        return 1
    }
}

extension CurrentState {
    /// The row as the planner takes it.
    var planned: PlannedDeviceState { PlannedDeviceState(status: status, reason: reason, since: since, lastSeen: lastSeen) }

    init(_ planned: PlannedDeviceState) {
        self.init(status: planned.status, reason: planned.reason, since: planned.since, lastSeen: planned.lastSeen)
    }
}
