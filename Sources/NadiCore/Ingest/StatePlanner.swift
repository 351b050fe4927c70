package import Foundation

/// The ingest writer's state step as a function: from what is known about a batch's devices to the
/// rows to write. No I/O — the store loads the facts, asks the planner, and applies the plan in the
/// batch's transaction, so DESIGN.md's timeline contract is tested here without PostgreSQL.
///
/// Two passes. `plan(_:now:)` settles every device whose new pings continue its open run (the
/// common case writes nothing but a last-seen time) or fall inside it with its status (nothing to
/// write at all: what an agent flushing its buffer after an outage mostly sends), and names the
/// devices whose pings came late, out of order or against a silence. For those the store loads
/// each one's stored neighbours (the ping before the earliest new one, the run holding then, the
/// pings from there on) — one query for all of them — and `recut(_:history:now:)` rebuilds their
/// runs, writing nothing for those that come out as stored. `writes(for:)` turns the re-cut
/// devices into the statements' rows.
package enum StatePlanner {
    /// Plans the state step of one batch. `facts` holds every device with newly stored pings.
    package static func plan(_ facts: [Int64: DeviceBatchFacts], now: Date) -> StatePlan {
        var plan = StatePlan()
        for (id, device) in facts {
            var pings = device.pings.sorted { $0.at < $1.at }
            guard let last = pings.last else { continue }
            let heartbeat = device.heartbeat
            var state = device.state ?? PlannedDeviceState(status: .unknown)
            if let known = device.knownNewest, known > (state.lastSeen ?? .distantPast) { state.lastSeen = known }
            let newest = max(last.at, state.lastSeen ?? last.at)

            guard state.status != .unknown, let lastSeen = state.lastSeen else {
                // First pings of this device: its history from scratch.
                let runs = Timeline.runs(continuing: nil, pings: pings, heartbeat: heartbeat, now: now)
                plan.recuts.append(StateRecut(deviceID: id, from: nil, runs: runs, lastSeen: newest, previous: state.status))
                continue
            }
            let silentNow = state.status == .down && state.reason == StatusReason.silent
            if !silentNow, !device.interleaved, let since = state.since, let earliest = pings.first?.at, earliest < lastSeen {
                // Late pings inside the open run, with its status, change nothing: the run's pings
                // all have that status and no gap in it is silence; each only splits a gap.
                let late = pings.prefix { $0.at < lastSeen }
                if late.allSatisfy({ $0.at > since && $0.status.deviceStatus == state.status }) { pings.removeFirst(late.count) }
            }
            guard let first = pings.first else {
                plan.unchanged[id] = newest
                continue
            }
            let continuesOpenRun =
                first.at > lastSeen && !device.interleaved
                && !(silentNow && first.at.timeIntervalSince(lastSeen) <= heartbeat.silenceAfter)
            guard continuesOpenRun else {
                // Late, out of order, or contradicting a silence: re-cut from the stored ping before.
                plan.late.append(
                    LateDevice(
                        deviceID: id, earliest: first.at, heartbeat: heartbeat, newest: newest, previous: state.status,
                        open: state.since.map { StateRun(status: state.status, reason: state.reason, start: $0) }))
                continue
            }
            if !silentNow, isSteady(pings, after: lastSeen, status: state.status, heartbeat: heartbeat) {
                plan.unchanged[id] = newest
                continue
            }
            guard let since = state.since else { continue }
            let anchor = StateRun(status: state.status, reason: state.reason, start: since)
            let lead = silentNow ? [] : [TimelinePing(at: lastSeen, status: PingStatus(holding: state.status), reason: state.reason)]
            let runs = Timeline.runs(continuing: anchor, pings: lead + pings, heartbeat: heartbeat, now: now)
            plan.recuts.append(StateRecut(deviceID: id, from: since, runs: runs, lastSeen: newest, previous: state.status))
        }
        return plan
    }

    /// Re-cuts the late devices of a batch from their stored neighbours (`history`, by device). A
    /// device whose re-cut runs are the ones stored (late pings that fall in a run with its status,
    /// what an agent flushing its buffer after an outage mostly sends) is not re-written: only its
    /// newest time is kept.
    package static func recut(_ late: [LateDevice], history: [Int64: DeviceHistory], now: Date) -> LateRecut {
        var result = LateRecut()
        for device in late {
            let known = history[device.deviceID] ?? DeviceHistory()
            let runs = Timeline.runs(continuing: known.anchor, pings: known.pings, heartbeat: device.heartbeat, now: now)
            let lastSeen = max(device.newest, known.pings.last?.at ?? device.newest)
            if let stored = known.storedRuns(open: device.open), StateRun.sameRuns(runs, stored) {
                result.unchanged[device.deviceID] = lastSeen
                continue
            }
            // With no ping before, every stored run goes; else those from the run holding then (or from that ping).
            let from = known.previousPing.map { known.anchor?.start ?? $0 }
            result.recuts.append(
                StateRecut(deviceID: device.deviceID, from: from, runs: runs, lastSeen: lastSeen, previous: device.previous))
        }
        return result
    }

    /// The rows of the statements that apply `recuts`: interval deletions and insertions,
    /// `device_state` updates and the outbox's changes of status.
    package static func writes(for recuts: [StateRecut]) -> StateWrites {
        var writes = StateWrites()
        for recut in recuts {
            writes.deletions.append((recut.deviceID, recut.from))
            for run in recut.runs { writes.runs.append((recut.deviceID, run)) }
            guard let final = recut.runs.last else { continue }
            writes.states.append((recut.deviceID, final, recut.lastSeen))
            if final.status != recut.previous {
                writes.changes.append(
                    StatusChange(deviceID: recut.deviceID, from: recut.previous, to: final.status, at: final.start, reason: final.reason))
            }
        }
        return writes
    }

    /// New pings after `lastSeen` that keep `status` with no gap long enough to be silence.
    private static func isSteady(_ pings: [TimelinePing], after lastSeen: Date, status: DeviceStatus, heartbeat: Heartbeat) -> Bool {
        var previous = lastSeen
        for ping in pings {
            guard ping.status.deviceStatus == status, ping.at.timeIntervalSince(previous) <= heartbeat.silenceAfter else { return false }
            previous = ping.at
        }
        return true
    }
}

extension PingStatus {
    /// The ping status that holds `status` (a down or unknown device reads as down).
    package init(holding status: DeviceStatus) {
        switch status {
        case .up: self = .up
        case .degraded: self = .degraded
        case .down, .unknown: self = .down
        }
    }
}
