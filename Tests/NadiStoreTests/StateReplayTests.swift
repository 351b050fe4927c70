import Foundation
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// The state step twice over: one recorded batch sequence through the writer on PostgreSQL (the
/// planner with facts loaded by SQL and its plan applied by SQL) and through the planner on an
/// in-memory store (`StateStoreModel`, the property tests' store). The tables must agree row for row.
@Suite("State step replay")
struct StateReplayTests {
    @Test(
        "a recorded sequence of some 250 batches (late pings, repeats, silences, changes) leaves the same intervals and device states in PostgreSQL as in the planner's in-memory store"
    )
    func replayAgrees() async throws {
        var random = SplitMix64(seed: 20_261_207)
        let devices: [Int64] = Array(1...4)
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 8 * 3600).rounded(.down))
        var pings: [(device: Int64, ping: TimelinePing)] = []
        for device in devices {
            var at = start.addingTimeInterval(Double(random.next() % 40))
            for _ in 0..<120 {
                let roll = random.next() % 100
                pings.append((device, TimelinePing(at: at, status: roll < 70 ? .up : roll < 85 ? .degraded : .down)))
                let step = random.next() % 100
                at.addTimeInterval(step < 70 ? 60 : step < 80 ? 15 : step < 92 ? 170 : Double(190 + random.next() % 900))
            }
        }
        // Mostly by time, one in five late by up to 40 positions, one in ten sent twice.
        var order = pings.sorted { $0.ping.at < $1.ping.at }
        for index in order.indices.reversed() where random.next() % 5 == 0 {
            let ping = order.remove(at: index)
            order.insert(ping, at: min(order.count, index + Int(random.next() % 40)))
        }
        for ping in pings where random.next() % 10 == 0 { order.insert(ping, at: Int(random.next() % UInt64(order.count))) }
        var batches: [[(device: Int64, ping: TimelinePing)]] = []
        var index = 0
        while index < order.count {
            let size = 1 + Int(random.next() % 3)
            batches.append(Array(order[index..<min(index + size, order.count)]))
            index += size
        }
        #expect(batches.count > 200 && order.count > pings.count)

        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await TestClient.registerVideotrons(devices, prefix: "R", on: client)
            var configuration = PingWriterConfiguration()
            configuration.runsMaintenance = false
            let queue = IngestQueue(capacity: 100_000)
            let writer = PingWriter(queue: queue, client: client, configuration: configuration, logger: TestCluster.quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.run() }
                // One request at a time: each is a batch of its own, in the recorded order.
                for batch in batches {
                    _ = try await queue.submit(
                        IngestJob(
                            pings: batch.map {
                                ResolvedPing(
                                    deviceID: $0.device, kind: .videotron, observedMicros: Timestamp.microseconds($0.ping.at),
                                    status: $0.ping.status, reason: nil, intervalSeconds: 60)
                            }))
                }
                queue.close()
                try await group.waitForAll()
            }

            var model = StateStoreModel(devices: devices, heartbeat: Heartbeat(interval: 60, missCount: 3))
            let now = Date()
            for batch in batches { model.ingest(batch, foreign: [], flush: false, now: now) }
            model.flushPending()

            for device in devices {
                var stored: [StateRun] = []
                for try await (status, reason, started, ended) in try await client.query(
                    "SELECT status, reason, started_at, ended_at FROM status_interval WHERE device_id = \(device) ORDER BY started_at"
                ).decode((String, String?, Date, Date?).self) {
                    stored.append(StateRun(status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason, start: started, end: ended))
                }
                #expect(stored == model.runs[device], "device \(device):\n PostgreSQL \(stored)\n in memory  \(model.runs[device] ?? [])")
                let state = try await client.query(
                    "SELECT status, reason, since, last_seen FROM device_state WHERE device_id = \(device)"
                ).collect().first?.decode((String, String?, Date?, Date?).self)
                let expected = model.states[device]
                #expect(
                    state?.0 == expected?.status.rawValue && state?.1 == expected?.reason && state?.2 == expected?.since
                        && state?.3 == expected?.lastSeen,
                    "device \(device): \(String(describing: state)) vs \(String(describing: expected))")
            }
        }
    }
}
