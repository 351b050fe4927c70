import Foundation
import NadiCore
import Testing

@testable import NadiStore

/// The writer's copy of the `device_state` rows it wrote, without PostgreSQL.
@Suite("Device state cache")
struct DeviceStateCacheTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let up = CurrentState(status: .up, reason: nil, since: t0, lastSeen: t0)

    @Test("a row's times and a buffered last-seen time come back exactly as given, nil included, in their compact form")
    func compactTimesRoundTrip() {
        let odd = Date(timeIntervalSince1970: 1_800_000_000.123456)
        for time in [nil, odd, Date(timeIntervalSinceReferenceDate: 0), Date.distantPast, Date.distantFuture] {
            #expect(OptionalTime(time).date == time)
            var state = CurrentState(status: .down, reason: "link", since: time, lastSeen: odd)
            #expect(state.since == time)
            #expect(state.lastSeen == odd)
            state.lastSeen = time
            #expect(state.lastSeen == time)
            let seen = SeenTime(newest: odd, stored: time, interval: 86_400)
            #expect(seen.stored == time)
            #expect(seen.interval == 86_400)
        }
        #expect(CurrentState(status: .up, since: nil) != CurrentState(status: .up, since: Self.t0))
        #expect(MemoryLayout<CurrentState>.stride == 40)
        #expect(MemoryLayout<SeenTime>.stride == 24)
    }

    @Test("empty until a batch reports rows; then a snapshot holds them for the epoch the batch left")
    func batchFillsTheCopy() {
        var cache = DeviceStateCache()
        #expect(cache.snapshot(for: [1]).epoch == nil)
        #expect(cache.snapshot(for: [1]).rows.isEmpty)
        cache.apply(.init(step: .init(before: 7, after: 8, own: 1), rows: [1: Self.up, 2: Self.up]), snapshotEpoch: nil)
        let snapshot = cache.snapshot(for: [1, 3])
        #expect(snapshot.epoch == 8)
        #expect(snapshot.rows == [1: Self.up])
    }

    @Test("another writer's statement during the batch (the sequence moved by more than the batch's own): everything is forgotten")
    func foreignStatementDuringTheBatch() {
        var cache = DeviceStateCache()
        cache.apply(.init(step: .init(before: 7, after: 8, own: 1), rows: [1: Self.up]), snapshotEpoch: nil)
        cache.apply(.init(step: .init(before: 8, after: 10, own: 1), rows: [2: Self.up]), snapshotEpoch: 8)
        #expect(cache.epoch == nil)
        #expect(cache.rows.isEmpty)
    }

    @Test("a snapshot found stale at the batch's start: the rows of other devices are dropped, the batch's own kept")
    func staleSnapshot() {
        var cache = DeviceStateCache()
        cache.apply(.init(step: .init(before: 7, after: 8, own: 1), rows: [1: Self.up]), snapshotEpoch: nil)
        // The batch found the sequence at 12 (someone changed device_state), read its rows, wrote one statement.
        var down = Self.up
        down.status = .down
        cache.apply(.init(step: .init(before: 12, after: 13, own: 1), rows: [2: down]), snapshotEpoch: 8)
        #expect(cache.epoch == 13)
        #expect(cache.rows == [2: down])
    }

    @Test("the writer's own flush moves stored times up; a flush that met another writer's statement forgets everything")
    func flushes() {
        var cache = DeviceStateCache()
        cache.apply(.init(step: .init(before: 7, after: 8, own: 1), rows: [1: Self.up]), snapshotEpoch: nil)
        let later = Self.t0.addingTimeInterval(40)
        cache.noteLastSeenWritten([(Int64(1), later), (Int64(5), later)], step: .init(before: 8, after: 9, own: 1))
        #expect(cache.epoch == 9)
        #expect(cache.rows[1]?.lastSeen == later)
        #expect(cache.rows[5] == nil)
        cache.noteLastSeenWritten([(Int64(1), later)], step: .init(before: 9, after: 11, own: 1))
        #expect(cache.epoch == nil)
        #expect(cache.rows.isEmpty)
    }

    @Test("the writer's own sweep drops the silenced devices (read again next time), keeps the others")
    func sweeps() {
        var cache = DeviceStateCache()
        cache.apply(.init(step: .init(before: 7, after: 8, own: 1), rows: [1: Self.up, 2: Self.up]), snapshotEpoch: nil)
        cache.noteSilenced([Int64(1)], step: .init(before: 8, after: 9, own: 1))
        #expect(cache.epoch == 9)
        #expect(cache.rows.keys.sorted() == [Int64(2)])
        // A sweep that started from an epoch the copy does not know.
        cache.noteSilenced([Int64(2)], step: .init(before: 3, after: 4, own: 1))
        #expect(cache.epoch == nil)
        #expect(cache.rows.isEmpty)
    }
}
