import Foundation
import Logging
import NadiCore
import PostgresNIO

/// A device's `device_state` row as the writer needs it. The writer holds one per device, so the
/// two optional times are kept as bit patterns (`OptionalTime`), which pack without the padding an
/// optional `Date` brings.
struct CurrentState: Sendable, Equatable {
    var status: DeviceStatus
    var reason: String?
    private var sinceBits: OptionalTime
    private var lastSeenBits: OptionalTime

    var since: Date? {
        get { sinceBits.date }
        set { sinceBits = OptionalTime(newValue) }
    }

    /// `device_state.last_seen` as stored (it lags the newest ping; see `LastSeenBuffer`).
    var lastSeen: Date? {
        get { lastSeenBits.date }
        set { lastSeenBits = OptionalTime(newValue) }
    }

    init(status: DeviceStatus, reason: String? = nil, since: Date? = nil, lastSeen: Date? = nil) {
        self.status = status
        self.reason = reason
        self.sinceBits = OptionalTime(since)
        self.lastSeenBits = OptionalTime(lastSeen)
    }
}

/// A `Date?` in 8 bytes instead of 9 (16 with padding in a struct): the date's bit pattern, with
/// one NaN pattern no `Date` of ours has standing for nil. Exact: the bits are the date's own.
struct OptionalTime: Sendable, Equatable {
    private static let none = UInt64.max
    private var bits: UInt64

    init(_ date: Date?) { bits = date?.timeIntervalSinceReferenceDate.bitPattern ?? Self.none }

    var date: Date? { bits == Self.none ? nil : Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits)) }
}

/// The `device_state` rows the ingest writer wrote (or read) last, so that a batch reads back only
/// the devices it does not hold: reading every batch's rows back is a large part of a batch.
///
/// The copy is right only while nobody else changed the table. Every statement that changes it
/// advances the sequence `device_state_change` (schema part 14); `epoch` is the value this writer
/// accounted for. A batch compares it under the state lock with the sequence, counts its own
/// statements, and hands back an `Update`: when the sequence moved by more than those, by anyone
/// (another nadid, a registration, a hand-written UPDATE), the copy is dropped and the rows read
/// again. A value type: tested without PostgreSQL.
struct DeviceStateCache: Sendable {
    /// What a batch takes into its transaction.
    struct Snapshot: Sendable {
        var epoch: Int64?
        var rows: [Int64: CurrentState]
    }

    /// How `device_state_change` moved around a writer's own statements.
    struct EpochStep: Sendable, Equatable {
        /// The sequence once the state lock was held, before the statements.
        var before: Int64
        /// The sequence after them, still under the lock.
        var after: Int64
        /// How many statements changing `device_state` the writer ran in between.
        var own: Int

        /// Nobody else changed `device_state` in between.
        var onlyOwn: Bool { after == before + Int64(own) }
    }

    /// What a committed batch reports back.
    struct Update: Sendable {
        var step: EpochStep
        /// The rows of the batch's devices as committed.
        var rows: [Int64: CurrentState]
    }

    private(set) var epoch: Int64?
    private(set) var rows: [Int64: CurrentState] = [:]

    /// The rows held for `ids`, with the epoch they are valid for.
    func snapshot(for ids: some Sequence<Int64>) -> Snapshot {
        guard let epoch else { return Snapshot(epoch: nil, rows: [:]) }
        var found: [Int64: CurrentState] = [:]
        found.reserveCapacity(ids.underestimatedCount)
        for id in ids { if let row = rows[id] { found[id] = row } }
        return Snapshot(epoch: epoch, rows: found)
    }

    /// Takes a committed batch's rows. A snapshot that was stale (`step.before` is not the epoch
    /// it was taken at) means every row held may be stale: they are dropped first.
    mutating func apply(_ update: Update, snapshotEpoch: Int64?) {
        if snapshotEpoch != update.step.before { rows.removeAll(keepingCapacity: true) }
        rows.merge(update.rows) { _, new in new }
        epoch = update.step.onlyOwn ? update.step.after : nil
        if epoch == nil { rows.removeAll(keepingCapacity: true) }
    }

    /// Takes the writer's own last-seen flush: the rows' stored times move up.
    mutating func noteLastSeenWritten(_ times: some Sequence<(Int64, Date)>, step: EpochStep) {
        guard epoch == step.before, step.onlyOwn else { return invalidate() }
        epoch = step.after
        for (id, at) in times {
            guard var row = rows[id] else { continue }
            row.lastSeen = max(row.lastSeen ?? at, at)
            rows[id] = row
        }
    }

    /// Takes the writer's own silence sweep: the silenced devices are read again next time.
    mutating func noteSilenced(_ ids: some Sequence<Int64>, step: EpochStep) {
        guard epoch == step.before, step.onlyOwn else { return invalidate() }
        epoch = step.after
        for id in ids { rows[id] = nil }
    }

    /// Forgets everything: after a transaction whose outcome is unknown, or a change by someone else.
    mutating func invalidate() {
        epoch = nil
        rows.removeAll(keepingCapacity: true)
    }
}

/// Reads `device_state_change` (schema part 14).
enum DeviceStateEpoch {
    static func read(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM device_state_change", logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}
