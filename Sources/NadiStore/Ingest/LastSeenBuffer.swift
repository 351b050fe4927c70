import Foundation
import NadiCore

/// The newest ping time of a device, kept in memory until written to `device_state.last_seen`.
struct SeenTime: Sendable, Equatable {
    var newest: Date
    private var storedBits: OptionalTime
    private var intervalSeconds: Int32

    /// `device_state.last_seen` as last read or written.
    var stored: Date? {
        get { storedBits.date }
        set { storedBits = OptionalTime(newValue) }
    }

    /// The device's heartbeat interval in seconds (1–86400, schema part 1's check: 32 bits hold it;
    /// 24 bytes a device where a `Date?` and an `Int` made it 32).
    var interval: Int {
        get { Int(intervalSeconds) }
        set { intervalSeconds = Int32(clamping: newValue) }
    }

    init(newest: Date, stored: Date?, interval: Int) {
        self.newest = newest
        self.storedBits = OptionalTime(stored)
        self.intervalSeconds = Int32(clamping: interval)
    }

    /// How far the table lags behind.
    var lag: TimeInterval { newest.timeIntervalSince(stored ?? .distantPast) }
}

/// The newest ping times the writer has not yet written to `device_state.last_seen`, and which of
/// them a flush should write. Writing every ping's time would cost an index update per ping; the
/// buffer bounds that to one write per device per `resolution` (or interval, when shorter) while the
/// sweeper and state logic read the exact times kept here. A value type: tested without PostgreSQL.
struct LastSeenBuffer: Sendable {
    /// Which pending times to write.
    enum Selection: Sendable {
        /// Those lagging more than the resolution (at most `maxRows` of them).
        case due
        /// Those the silence sweep at `now` could otherwise pick although the device is alive.
        case sweepCandidates(now: Date)
        /// All of them (shutdown).
        case all
    }

    var resolution: TimeInterval
    var maxRows: Int
    var missCount: Int
    var sweepGrace: TimeInterval
    private(set) var pending: [Int64: SeenTime] = [:]
    /// The last `.due` selection stopped at its row cap.
    private var stoppedAtCap = false

    /// More times are due already: the last `.due` selection stopped at its row cap and something is
    /// still pending. (Once the buffer is empty nothing is due, whatever the last selection said — a
    /// writer that believed otherwise flushed in a busy loop on an idle daemon.)
    var moreDue: Bool { stoppedAtCap && !pending.isEmpty }

    init(resolution: TimeInterval, maxRows: Int, missCount: Int, sweepGrace: TimeInterval) {
        self.resolution = resolution
        self.maxRows = maxRows
        self.missCount = missCount
        self.sweepGrace = sweepGrace
    }

    var isEmpty: Bool { pending.isEmpty }

    /// Takes what a committed batch says about its devices: their newest times and stored values.
    mutating func merge(_ seen: [Int64: SeenTime]) {
        for (id, update) in seen {
            if var entry = pending[id] {
                entry.newest = max(entry.newest, update.newest)
                entry.stored = update.stored
                pending[id] = entry
            } else {
                pending[id] = update
            }
        }
    }

    /// The (device, newest time) pairs to write for `selection`.
    mutating func select(_ selection: Selection) -> [(Int64, Date)] {
        var chosen: [(Int64, Date)] = []
        switch selection {
        case .due:
            stoppedAtCap = false
            for (id, entry) in pending where entry.lag >= min(Double(entry.interval), resolution) {
                chosen.append((id, entry.newest))
                if chosen.count == maxRows {
                    stoppedAtCap = true
                    break
                }
            }
        case .sweepCandidates(let now):
            for (id, entry) in pending {
                let silence = Heartbeat(interval: TimeInterval(entry.interval), missCount: missCount).silenceAfter
                let silentBefore = now.addingTimeInterval(-(silence + sweepGrace))
                if (entry.stored ?? .distantPast) < silentBefore { chosen.append((id, entry.newest)) }
            }
        case .all:
            chosen = pending.map { ($0.key, $0.value.newest) }
        }
        return chosen
    }

    /// Records that `written` reached the table: entries with nothing newer are dropped.
    mutating func markWritten(_ written: some Sequence<(Int64, Date)>) {
        for (id, at) in written {
            if pending[id]?.newest == at {
                pending[id] = nil
            } else {
                pending[id]?.stored = at
            }
        }
    }
}
