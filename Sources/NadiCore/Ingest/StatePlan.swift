package import Foundation

/// A device's `device_state` row as the planner needs it.
package struct PlannedDeviceState: Equatable, Sendable {
    package var status: DeviceStatus
    package var reason: String?
    /// When the current run started.
    package var since: Date?
    /// `device_state.last_seen` as stored (it may lag the newest ping).
    package var lastSeen: Date?

    package init(status: DeviceStatus, reason: String? = nil, since: Date? = nil, lastSeen: Date? = nil) {
        self.status = status
        self.reason = reason
        self.since = since
        self.lastSeen = lastSeen
    }
}

/// What is known about one device of a batch before its state step.
package struct DeviceBatchFacts: Sendable {
    /// Its `device_state` row; nil when it has none yet.
    package var state: PlannedDeviceState?
    /// The newest ping time known besides `state.lastSeen`: kept in the writer's memory, or (for a
    /// device another writer wrote last) the newest stored ping before this batch's first.
    package var knownNewest: Date?
    /// Other stored pings lie at or after this batch's first one (so the batch is not simply newer).
    package var interleaved: Bool
    package var heartbeat: Heartbeat
    /// The pings this batch stored for it, in any order, without duplicates.
    package var pings: [TimelinePing]

    package init(
        state: PlannedDeviceState?, knownNewest: Date? = nil, interleaved: Bool = false, heartbeat: Heartbeat, pings: [TimelinePing]
    ) {
        self.state = state
        self.knownNewest = knownNewest
        self.interleaved = interleaved
        self.heartbeat = heartbeat
        self.pings = pings
    }
}

/// A device whose stored runs from `from` on (all of them when nil) are replaced by `runs`.
package struct StateRecut: Equatable, Sendable {
    package var deviceID: Int64
    package var from: Date?
    package var runs: [StateRun]
    /// Its newest ping time after the batch.
    package var lastSeen: Date
    /// The status `device_state` held before the batch.
    package var previous: DeviceStatus

    package init(deviceID: Int64, from: Date?, runs: [StateRun], lastSeen: Date, previous: DeviceStatus) {
        self.deviceID = deviceID
        self.from = from
        self.runs = runs
        self.lastSeen = lastSeen
        self.previous = previous
    }

    /// The device's `device_state` row once the re-cut is written over `stored`.
    package func state(over stored: PlannedDeviceState?) -> PlannedDeviceState? {
        guard let run = runs.last else { return stored }
        return PlannedDeviceState(
            status: run.status, reason: run.reason, since: run.start, lastSeen: max(stored?.lastSeen ?? lastSeen, lastSeen))
    }
}

/// A device of a batch whose pings came late, out of order or against a silence: it is re-cut from
/// the stored ping before its `earliest` new one.
package struct LateDevice: Equatable, Sendable {
    package var deviceID: Int64
    package var earliest: Date
    package var heartbeat: Heartbeat
    package var newest: Date
    package var previous: DeviceStatus
    /// The run `device_state` says is open (status, reason, since), when it names one.
    package var open: StateRun?

    package init(deviceID: Int64, earliest: Date, heartbeat: Heartbeat, newest: Date, previous: DeviceStatus, open: StateRun? = nil) {
        self.deviceID = deviceID
        self.earliest = earliest
        self.heartbeat = heartbeat
        self.newest = newest
        self.previous = previous
        self.open = open
    }
}

/// A late device's stored neighbours.
package struct DeviceHistory: Equatable, Sendable {
    /// The newest stored ping before the batch's earliest new one.
    package var previousPing: Date?
    /// The stored run holding at `previousPing`, with its stored end (nil when it is the open run).
    package var anchor: StateRun?
    /// The stored pings from `previousPing` (or from the earliest new one) on, ascending, the batch's included.
    package var pings: [TimelinePing]

    package init(previousPing: Date? = nil, anchor: StateRun? = nil, pings: [TimelinePing] = []) {
        self.previousPing = previousPing
        self.anchor = anchor
        self.pings = pings
    }

    /// Where its pings are read from: the ping before, else the earliest new one.
    package static func floor(previousPing: Date?, earliest: Date) -> Date { previousPing ?? earliest }

    /// The stored runs from the anchor's start on, when they are known without reading them: the
    /// anchor alone when it is the open run, or the anchor and the open run when the one ends where
    /// the other starts (runs do not overlap and none lasts no time, so nothing lies between).
    /// Nil when other runs may lie between them.
    package func storedRuns(open: StateRun?) -> [StateRun]? {
        guard let anchor, let open else { return nil }
        guard let end = anchor.end else {
            return StateRun.sameMicroseconds(anchor.start, open.start) && anchor.status == open.status ? [anchor] : nil
        }
        return StateRun.sameMicroseconds(end, open.start) ? [anchor, open] : nil
    }
}

/// The second pass's answer for a batch's late devices.
package struct LateRecut: Sendable {
    /// Devices whose runs are rebuilt now.
    package var recuts: [StateRecut] = []
    /// Devices whose re-cut runs are the stored ones (late pings that change no run): their newest
    /// ping time, to write later, as `StatePlan.unchanged`.
    package var unchanged: [Int64: Date] = [:]

    package init() {}
}

/// The first pass's answer for a batch.
package struct StatePlan: Sendable {
    /// Devices whose runs are rebuilt now.
    package var recuts: [StateRecut] = []
    /// Devices to rebuild from their stored neighbours (`StatePlanner.recut`).
    package var late: [LateDevice] = []
    /// Devices whose state stays as it is: their newest ping time, to write later.
    package var unchanged: [Int64: Date] = [:]

    package init() {}
}

/// A change of a device's status, for the alert outbox.
package struct StatusChange: Equatable, Sendable {
    package var deviceID: Int64
    package var from: DeviceStatus
    package var to: DeviceStatus
    package var at: Date
    package var reason: String?

    package init(deviceID: Int64, from: DeviceStatus, to: DeviceStatus, at: Date, reason: String?) {
        self.deviceID = deviceID
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
    }
}

/// The rows of the statements that apply a batch's re-cuts.
package struct StateWrites: Sendable {
    /// Each re-cut device's runs from this time on (all when nil) are deleted…
    package var deletions: [(device: Int64, from: Date?)] = []
    /// …and these inserted (a run starting before `from` was kept: its end is updated).
    package var runs: [(device: Int64, run: StateRun)] = []
    /// Each device's `device_state`: its last run and newest ping time.
    package var states: [(device: Int64, run: StateRun, lastSeen: Date)] = []
    package var changes: [StatusChange] = []

    package init() {}
}
