import Foundation
import NadiCore
import NadiTestSupport
import PropertyBased
import Testing

@Suite("State planner")
struct StatePlannerTests {
    static let heartbeat = Heartbeat(interval: 60, missCount: 3)
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    /// Pings of two devices built from generated statuses and gaps: gaps within the silence
    /// threshold, just past it and far past it; every device's last ping at the common end, so no
    /// silence is pending at `now` (the sweeper's part, not the planner's).
    static func pings(statuses: [Int], gaps: [Int]) -> (pings: [(device: Int64, ping: TimelinePing)], end: Date) {
        let seconds = [10, 30, 60, 120, 179, 180, 181, 400, 1000, 7200]
        var clock: [Int64: Date] = [1: start, 2: start.addingTimeInterval(7)]
        var pings: [(Int64, TimelinePing)] = []
        for (index, code) in statuses.enumerated() {
            let device: Int64 = index % 3 == 2 ? 2 : 1
            let gap = seconds[gaps[index % gaps.count] % seconds.count]
            let at = clock[device, default: start].addingTimeInterval(TimeInterval(gap))
            clock[device] = at
            pings.append((device, TimelinePing(at: at, status: [.up, .degraded, .down][code % 3])))
        }
        let end = (clock.values.max() ?? start).addingTimeInterval(30)
        for device: Int64 in [1, 2] { pings.append((device, TimelinePing(at: end, status: .up))) }
        return (pings, end)
    }

    /// The pings in a shuffled order with repeats, cut into batches, with some devices marked as
    /// another writer's and some batches followed by a flush of the buffered newest times; `now`
    /// moves with the newest ping stored, as it does for a live fleet. After each batch every
    /// device's runs are DESIGN's timeline of the pings stored so far, but for a silence pending at
    /// the end (the sweeper's to write, not the planner's).
    static func replay(_ pings: [(device: Int64, ping: TimelinePing)], seed: UInt64, inOrder: Bool = false) -> StateStoreModel {
        var random = SplitMix64(seed: seed)
        var order = inOrder ? pings : pings.shuffled(using: &random)
        for ping in pings where random.nextDouble() < 0.15 {
            order.insert(ping, at: Int(random.next() % UInt64(order.count + 1)))
        }
        var model = StateStoreModel(devices: [1, 2], heartbeat: heartbeat)
        var batch: [(device: Int64, ping: TimelinePing)] = []
        var now = Date.distantPast
        for (index, ping) in order.enumerated() {
            batch.append(ping)
            now = max(now, ping.ping.at.addingTimeInterval(1))
            guard index == order.count - 1 || random.nextDouble() < 0.3 else { continue }
            let foreign = Set([Int64(1), 2].filter { _ in random.nextDouble() < 0.2 })
            model.ingest(batch, foreign: foreign, flush: random.nextDouble() < 0.5, now: now)
            batch.removeAll()
            for device: Int64 in [1, 2] {
                let stored = (model.pings[device] ?? [:]).values.map { (at: $0.at, status: $0.status.rawValue) }
                let expected = HandTimeline.runs(stored, interval: heartbeat.interval, missCount: heartbeat.missCount, now: now)
                #expect(
                    withoutPendingSilence(model.runs[device] ?? []) == withoutPendingSilence(expected),
                    "device \(device) after \(index + 1) of \(order.count) pings, seed \(seed)")
            }
        }
        return model
    }

    /// The runs without a silence that starts after the last ping and is still open.
    static func withoutPendingSilence(_ runs: [StateRun]) -> [StateRun] {
        guard let last = runs.last, last.isSilent, last.end == nil else { return runs }
        var kept = Array(runs.dropLast())
        if !kept.isEmpty { kept[kept.count - 1].end = nil }
        return kept
    }

    static func expected(_ pings: [(device: Int64, ping: TimelinePing)], device: Int64, now: Date) -> [StateRun] {
        let own = pings.filter { $0.device == device }.map { (at: $0.ping.at, status: $0.ping.status.rawValue) }
        return HandTimeline.runs(own, interval: heartbeat.interval, missCount: heartbeat.missCount, now: now)
    }

    @Test("any order and any split into batches of the same pings, with repeats, gaps and silences, gives DESIGN's timeline")
    func anyOrderAnySplit() async {
        await propertyCheck(
            count: 400, input: Gen.int(in: 0...2).array(of: 1...40), Gen.int(in: 0...9).array(of: 1...12), Gen.uint64()
        ) { statuses, gaps, seed in
            let (pings, end) = Self.pings(statuses: statuses, gaps: gaps)
            var model = Self.replay(pings, seed: seed)
            model.flushPending()
            for device: Int64 in [1, 2] {
                let expected = Self.expected(pings, device: device, now: end.addingTimeInterval(1))
                let runs = model.runs[device] ?? []
                #expect(Self.withoutPendingSilence(runs) == Self.withoutPendingSilence(expected), "device \(device), seed \(seed)")
                let last = runs.last
                #expect(model.states[device]?.status == last?.status && model.states[device]?.since == last?.start)
                #expect(model.states[device]?.lastSeen == end, "the newest ping time once flushed")
            }
        }
    }

    @Test("pings in order one batch after another plan the same runs as the pings out of order")
    func inOrderMatchesOutOfOrder() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...2).array(of: 1...30), Gen.int(in: 0...9).array(of: 1...8)) {
            statuses, gaps in
            let (pings, _) = Self.pings(statuses: statuses, gaps: gaps)
            let ordered = Self.replay(pings, seed: 1, inOrder: true)
            let shuffled = Self.replay(pings, seed: 2)
            for device: Int64 in [1, 2] {
                #expect(
                    Self.withoutPendingSilence(ordered.runs[device] ?? []) == Self.withoutPendingSilence(shuffled.runs[device] ?? []))
            }
        }
    }

    @Test("a newer ping of the same status within the heartbeat writes nothing but its time; a change re-cuts the open run only")
    func commonCaseWritesNothing() {
        let since = Self.start
        let state = PlannedDeviceState(status: .up, since: since, lastSeen: since.addingTimeInterval(600))
        let steady = DeviceBatchFacts(
            state: state, heartbeat: Self.heartbeat, pings: [TimelinePing(at: since.addingTimeInterval(660), status: .up)])
        let change = DeviceBatchFacts(
            state: state, heartbeat: Self.heartbeat, pings: [TimelinePing(at: since.addingTimeInterval(660), status: .down)])
        let late = DeviceBatchFacts(
            state: state, heartbeat: Self.heartbeat, pings: [TimelinePing(at: since.addingTimeInterval(300), status: .down)])
        let plan = StatePlanner.plan([1: steady, 2: change, 3: late], now: since.addingTimeInterval(700))
        #expect(plan.unchanged == [1: since.addingTimeInterval(660)])
        #expect(plan.recuts.map(\.deviceID) == [2] && plan.recuts.first?.from == since)
        #expect(plan.recuts.first?.runs.map(\.status) == [.up, .down])
        #expect(plan.late.map(\.deviceID) == [3])
        let writes = StatePlanner.writes(for: plan.recuts)
        #expect(writes.changes == [StatusChange(deviceID: 2, from: .up, to: .down, at: since.addingTimeInterval(660), reason: nil)])
    }

    @Test(
        "a late ping that falls in an earlier run with that run's status re-writes nothing; one that contradicts it, or whose runs are not all known, re-cuts"
    )
    func lateWithinStoredRunsWritesNothing() {
        // Stored: up from t0 (pings every 60 s) until t0+600, down from t0+600 (open), pings to t0+900.
        let t0 = Self.start
        let state = PlannedDeviceState(status: .down, since: t0.addingTimeInterval(600), lastSeen: t0.addingTimeInterval(900))
        let storedPings = stride(from: 0, through: 900, by: 60).map { second in
            TimelinePing(at: t0.addingTimeInterval(TimeInterval(second)), status: second < 600 ? .up : .down)
        }
        let anchor = StateRun(status: .up, start: t0, end: t0.addingTimeInterval(600))
        func history(_ late: TimelinePing, anchor: StateRun?) -> DeviceHistory {
            let pings = (storedPings + [late]).filter { $0.at >= t0.addingTimeInterval(240) }.sorted { $0.at < $1.at }
            return DeviceHistory(previousPing: t0.addingTimeInterval(240), anchor: anchor, pings: pings)
        }
        let agreeing = TimelinePing(at: t0.addingTimeInterval(270), status: .up)
        let contradicting = TimelinePing(at: t0.addingTimeInterval(270), status: .down)
        let now = t0.addingTimeInterval(930)
        let plan = StatePlanner.plan(
            [
                1: DeviceBatchFacts(state: state, heartbeat: Self.heartbeat, pings: [agreeing]),
                2: DeviceBatchFacts(state: state, heartbeat: Self.heartbeat, pings: [contradicting]),
                3: DeviceBatchFacts(state: state, heartbeat: Self.heartbeat, pings: [agreeing]),
            ], now: now)
        #expect(Set(plan.late.map(\.deviceID)) == [1, 2, 3])
        #expect(plan.late.allSatisfy { $0.open == StateRun(status: .down, start: t0.addingTimeInterval(600)) })
        // Device 3's anchor ends before the open run starts: a run may lie between, so it is re-cut.
        let gapped = StateRun(status: .up, start: t0, end: t0.addingTimeInterval(540))
        let late = StatePlanner.recut(
            plan.late,
            history: [
                1: history(agreeing, anchor: anchor), 2: history(contradicting, anchor: anchor), 3: history(agreeing, anchor: gapped),
            ],
            now: now)
        #expect(late.unchanged == [1: t0.addingTimeInterval(900)])
        #expect(late.recuts.map(\.deviceID).sorted() == [2, 3])
        let contradicted = late.recuts.first { $0.deviceID == 2 }
        #expect(contradicted?.from == t0)
        #expect(contradicted?.runs.map(\.status) == [.up, .down, .up, .down])
    }
}
