import Foundation
import Testing

@testable import NadiStore

/// The writer's buffer of newest ping times, without PostgreSQL.
@Suite("Last-seen buffer")
struct LastSeenBufferTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func buffer() -> LastSeenBuffer {
        LastSeenBuffer(resolution: 30, maxRows: 2, missCount: 3, sweepGrace: 5)
    }

    @Test("due: only times lagging the resolution (or the interval, when shorter), at most maxRows, the rest still due")
    func due() {
        var buffer = Self.buffer()
        buffer.merge([
            1: SeenTime(newest: Self.t0.addingTimeInterval(40), stored: Self.t0, interval: 60),  // lag 40 ≥ 30
            2: SeenTime(newest: Self.t0.addingTimeInterval(10), stored: Self.t0, interval: 60),  // lag 10 < 30
            3: SeenTime(newest: Self.t0.addingTimeInterval(10), stored: Self.t0, interval: 5),  // lag 10 ≥ interval 5
            4: SeenTime(newest: Self.t0.addingTimeInterval(100), stored: nil, interval: 60),  // never stored
        ])
        let first = buffer.select(.due)
        #expect(first.count == 2)
        #expect(buffer.moreDue)
        buffer.markWritten(first)
        let second = buffer.select(.due)
        #expect(second.count == 1)
        #expect(!buffer.moreDue)
        #expect(Set(first.map(\.0) + second.map(\.0)) == [1, 3, 4])
        buffer.markWritten(second)
        #expect(buffer.pending.keys.sorted() == [2])
    }

    @Test("a capped selection that emptied the buffer leaves nothing due (the writer would flush in a busy loop)")
    func cappedSelectionThatEmptiedTheBuffer() {
        var buffer = Self.buffer()
        buffer.merge([
            1: SeenTime(newest: Self.t0.addingTimeInterval(40), stored: Self.t0, interval: 60),
            2: SeenTime(newest: Self.t0.addingTimeInterval(40), stored: Self.t0, interval: 60),
        ])
        let chosen = buffer.select(.due)
        #expect(chosen.count == 2)
        #expect(buffer.moreDue)  // stopped at the cap of 2, entries still pending
        buffer.markWritten(chosen)
        #expect(buffer.isEmpty)
        #expect(!buffer.moreDue)
    }

    @Test("a newer time merged after a selection keeps the entry, with the written time as stored")
    func newerAfterSelection() {
        var buffer = Self.buffer()
        buffer.merge([1: SeenTime(newest: Self.t0.addingTimeInterval(40), stored: Self.t0, interval: 60)])
        let chosen = buffer.select(.all)
        buffer.merge([1: SeenTime(newest: Self.t0.addingTimeInterval(50), stored: Self.t0, interval: 60)])
        buffer.markWritten(chosen)
        #expect(buffer.pending[1]?.newest == Self.t0.addingTimeInterval(50))
        #expect(buffer.pending[1]?.stored == Self.t0.addingTimeInterval(40))
    }

    @Test("sweep candidates: devices whose stored time the sweeper would take for silence")
    func sweepCandidates() {
        var buffer = Self.buffer()
        buffer.merge([
            1: SeenTime(newest: Self.t0.addingTimeInterval(300), stored: Self.t0, interval: 60),
            2: SeenTime(newest: Self.t0.addingTimeInterval(300), stored: Self.t0.addingTimeInterval(290), interval: 60),
        ])
        // At t0 + 200: device 1's stored time is older than 3 × 60 + 5 s; device 2's is not.
        #expect(buffer.select(.sweepCandidates(now: Self.t0.addingTimeInterval(200))).map(\.0) == [1])
    }
}
