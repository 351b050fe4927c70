package import Foundation
package import NadiCore

/// PostgreSQL's side of the writer's state step, in memory: the stored pings, the runs
/// (`status_interval`), the `device_state` rows and the writer's buffered newest times, loaded and
/// changed the way `StateUpdater` loads facts and applies `StatePlanner`'s plan.
package struct StateStoreModel {
    package let heartbeat: Heartbeat
    package private(set) var pings: [Int64: [Date: TimelinePing]] = [:]
    package private(set) var runs: [Int64: [StateRun]] = [:]
    package private(set) var states: [Int64: PlannedDeviceState] = [:]
    /// Newest ping times not yet written to `device_state.last_seen` (the writer's `LastSeenBuffer`).
    package private(set) var pending: [Int64: Date] = [:]

    /// Registered devices start with an `unknown` state row, as registration leaves them.
    package init(devices: some Sequence<Int64>, heartbeat: Heartbeat) {
        self.heartbeat = heartbeat
        for id in devices { states[id] = PlannedDeviceState(status: .unknown) }
    }

    /// One batch: stores the pings not stored yet, plans, loads the late devices' neighbours and
    /// applies the writes. Devices in `foreign` are treated as written last by another writer (their
    /// newest stored ping before the batch and any interleaving are read from the pings), and
    /// `flush` writes the buffered newest times afterwards.
    package mutating func ingest(_ batch: [(device: Int64, ping: TimelinePing)], foreign: Set<Int64>, flush: Bool, now: Date) {
        let before = pings
        var stored: [Int64: [TimelinePing]] = [:]
        for (id, ping) in batch where pings[id]?[ping.at] == nil {
            pings[id, default: [:]][ping.at] = ping
            stored[id, default: []].append(ping)
        }
        var facts: [Int64: DeviceBatchFacts] = [:]
        for (id, new) in stored {
            let state = states[id]
            var known = pending[id]
            var interleaved = false
            if foreign.contains(id), let state, state.status != .unknown, let lastSeen = state.lastSeen,
                let first = new.map(\.at).min()
            {
                let older = (before[id] ?? [:]).keys.filter { $0 >= lastSeen && $0 < first }.max()
                known = [known, older].compactMap { $0 }.max()
                interleaved = (pings[id] ?? [:]).keys.filter { $0 >= first }.count > new.count
            }
            facts[id] = DeviceBatchFacts(state: state, knownNewest: known, interleaved: interleaved, heartbeat: heartbeat, pings: new)
        }
        let plan = StatePlanner.plan(facts, now: now)
        let late = StatePlanner.recut(plan.late, history: history(of: plan.late), now: now)
        for (id, newest) in plan.unchanged.merging(late.unchanged, uniquingKeysWith: max) {
            pending[id] = max(pending[id] ?? newest, newest)
        }
        apply(StatePlanner.writes(for: plan.recuts + late.recuts))
        if flush { flushPending() }
    }

    /// Writes the buffered newest times (`last_seen = GREATEST(last_seen, t)`).
    package mutating func flushPending() {
        for (id, at) in pending {
            guard var state = states[id] else { continue }
            state.lastSeen = max(state.lastSeen ?? at, at)
            states[id] = state
        }
        pending.removeAll()
    }

    /// What `StateUpdater.history(of:)` reads: the ping before each late device's earliest new one,
    /// the run holding then, and the pings from there on.
    private func history(of late: [LateDevice]) -> [Int64: DeviceHistory] {
        var history: [Int64: DeviceHistory] = [:]
        for device in late {
            let times = (pings[device.deviceID] ?? [:]).keys
            let previous = times.filter { $0 < device.earliest }.max()
            let anchor = previous.flatMap { at in
                (runs[device.deviceID] ?? []).filter { $0.start <= at && ($0.end.map { $0 > at } ?? true) }.max { $0.start < $1.start }
            }
            let floor = DeviceHistory.floor(previousPing: previous, earliest: device.earliest)
            let from = (pings[device.deviceID] ?? [:]).values.filter { $0.at >= floor }.sorted { $0.at < $1.at }
            history[device.deviceID] = DeviceHistory(previousPing: previous, anchor: anchor, pings: from)
        }
        return history
    }

    /// The three statements of `StateUpdater.write`: delete from `from` on, upsert the runs by
    /// start, set each device's state (its newest time only moves forward).
    private mutating func apply(_ writes: StateWrites) {
        for (id, from) in writes.deletions {
            runs[id]?.removeAll { run in from.map { run.start >= $0 } ?? true }
        }
        for (id, run) in writes.runs {
            var list = runs[id] ?? []
            if let index = list.firstIndex(where: { $0.start == run.start }) {
                list[index] = run
            } else {
                list.append(run)
                list.sort { $0.start < $1.start }
            }
            runs[id] = list
        }
        for (id, run, lastSeen) in writes.states {
            guard let state = states[id] else { continue }
            states[id] = PlannedDeviceState(
                status: run.status, reason: run.reason, since: run.start, lastSeen: max(state.lastSeen ?? lastSeen, lastSeen))
        }
    }
}
