package import Foundation

/// One stretch of a device's state history: `[start, end)`, open-ended when `end` is nil.
package struct StateRun: Equatable, Sendable, CustomStringConvertible {
    package var status: DeviceStatus
    package var reason: String?
    package var start: Date
    package var end: Date?

    package init(status: DeviceStatus, reason: String? = nil, start: Date, end: Date? = nil) {
        self.status = status
        self.reason = reason
        self.start = start
        self.end = end
    }

    /// True for the `down` stretch the timeline inserts when heartbeats were missed.
    package var isSilent: Bool { status == .down && reason == StatusReason.silent }

    /// Two runs continue each other when they have the same status and both are, or both are not, silence.
    func continues(_ status: DeviceStatus, silent: Bool) -> Bool {
        self.status == status && isSilent == silent
    }

    /// Whether two times fall on the same microsecond (what PostgreSQL stores).
    package static func sameMicroseconds(_ a: Date, _ b: Date) -> Bool { Timestamp.microseconds(a) == Timestamp.microseconds(b) }

    /// Whether `a` and `b` are the same runs as PostgreSQL stores them: status, reason, and start
    /// and end to the microsecond.
    package static func sameRuns(_ a: [StateRun], _ b: [StateRun]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { x, y in
                x.status == y.status && x.reason == y.reason && sameMicroseconds(x.start, y.start) && sameEnd(x.end, y.end)
            }
    }

    /// Both open, or both ending on the same microsecond.
    private static func sameEnd(_ a: Date?, _ b: Date?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): sameMicroseconds(a, b)
        default: false
        }
    }

    package var description: String {
        "\(status.rawValue)\(reason.map { "(\($0))" } ?? "") [\(start.timeIntervalSince1970), \(end.map { "\($0.timeIntervalSince1970)" } ?? "open"))"
    }
}

/// A stored ping as the timeline sees it.
package struct TimelinePing: Equatable, Sendable {
    package var at: Date
    package var status: PingStatus
    package var reason: String?

    package init(at: Date, status: PingStatus, reason: String? = nil) {
        self.at = at
        self.status = status
        self.reason = reason
    }
}

/// The heartbeat rules of one device.
package struct Heartbeat: Equatable, Sendable {
    /// Seconds between expected pings (`interval_s`).
    package var interval: TimeInterval
    /// How many missed pings in a row make a device silent.
    package var missCount: Int

    package init(interval: TimeInterval, missCount: Int = 3) {
        self.interval = interval
        self.missCount = missCount
    }

    /// The longest gap between pings that is not silence: `missCount × interval`.
    package var silenceAfter: TimeInterval { interval * Double(missCount) }
}

/// DESIGN.md's timeline: the state history as a function of the stored pings.
///
/// For pings t1 < t2 < … < tn: ping i's status holds from ti until t(i+1); but when
/// t(i+1) − ti > M·I it holds only until ti + I and the device is `down` (reason `silent`) from
/// ti + I until t(i+1). After tn the device is silent from tn + I when now − tn > M·I.
/// Consecutive pings with the same status form one run.
package enum Timeline {
    /// Builds the runs for `pings` (sorted ascending, distinct), continuing `anchor`.
    ///
    /// - Parameters:
    ///   - anchor: the run that is in force at `pings[0]` (the stored interval containing the
    ///     first ping), or nil when nothing is known before the first ping. The result starts
    ///     with this run (extended or ended), so callers replace every stored run from
    ///     `anchor.start` on with the result.
    ///   - pings: the pings to apply, sorted by time, without duplicates.
    ///   - heartbeat: the device's interval and miss count.
    ///   - now: the present, for the silent tail.
    package static func runs(
        continuing anchor: StateRun?,
        pings: [TimelinePing],
        heartbeat: Heartbeat,
        now: Date
    ) -> [StateRun] {
        var runs: [StateRun] = []
        if var anchor {
            anchor.end = nil
            runs.append(anchor)
        }
        func enter(_ status: DeviceStatus, reason: String?, at time: Date) {
            let silent = status == .down && reason == StatusReason.silent
            if let last = runs.last {
                if last.continues(status, silent: silent) { return }
                if last.start >= time {
                    // A run that would last no time at all: replace it.
                    runs.removeLast()
                    if let previous = runs.last, previous.continues(status, silent: silent) {
                        runs[runs.count - 1].end = nil
                        return
                    }
                } else {
                    runs[runs.count - 1].end = time
                }
            }
            runs.append(StateRun(status: status, reason: reason, start: time))
        }
        for (index, ping) in pings.enumerated() {
            enter(ping.status.deviceStatus, reason: ping.reason, at: ping.at)
            let next = index + 1 < pings.count ? pings[index + 1].at : nil
            let gapEnd = next ?? now
            if gapEnd.timeIntervalSince(ping.at) > heartbeat.silenceAfter {
                enter(.down, reason: StatusReason.silent, at: ping.at.addingTimeInterval(heartbeat.interval))
            }
        }
        return runs
    }
}
