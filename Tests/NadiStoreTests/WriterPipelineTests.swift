import Foundation
import MetricsTestKit
import NadiCore
import NadiTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import NadiStore

/// The writer copies one batch's pings while the batch before commits (`PingWriter`). The state
/// step still runs one batch after the other, from what the batch before left; this drives that
/// path with late pings of the same devices in flight at once.
@Suite("Writer pipeline")
struct WriterPipelineTests {
    @Test(
        "eight senders, small requests, one ping in four late: batches overlap, every ping is stored once, every device's intervals equal the hand-computed timeline"
    )
    func overlappingBatchesStayExact() async throws {
        var random = SplitMix64(seed: 20_261_203)
        let devices: [Int64] = Array(1...3)
        // Six hours to one hour ago, whole seconds: heartbeats of 60 s, some jitter, some gaps long
        // enough to be silence, a mix of statuses.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 6 * 3600).rounded(.down))
        var history: [Int64: [(at: Date, status: String)]] = [:]
        for device in devices {
            var at = start.addingTimeInterval(Double(random.next() % 30))
            for _ in 0..<80 {
                let roll = random.next() % 100
                history[device, default: []].append((at, roll < 75 ? "up" : roll < 87 ? "degraded" : "down"))
                let step = random.next() % 100
                at.addTimeInterval(step < 70 ? 60 : step < 80 ? 20 : step < 90 ? 150 : Double(200 + random.next() % 400))
            }
        }
        // Arrival: by time, one ping in four held back and sent after later ones; requests of 1–3
        // pings mixing devices.
        var arrival: [(device: Int64, at: Date, status: String)] = []
        var held: [(device: Int64, at: Date, status: String)] = []
        for ping in history.flatMap({ device, pings in pings.map { (device, $0.at, $0.status) } }).sorted(by: { $0.1 < $1.1 }) {
            if random.next() % 4 == 0 {
                held.append(ping)
                continue
            }
            arrival.append(ping)
            if !held.isEmpty, random.next() % 3 == 0 { arrival.append(held.removeFirst()) }
        }
        arrival += held
        var requests: [[ResolvedPing]] = []
        var index = 0
        while index < arrival.count {
            let size = 1 + Int(random.next() % 3)
            requests.append(
                arrival[index..<min(index + size, arrival.count)].map {
                    ResolvedPing(
                        deviceID: $0.device, kind: .videotron, observedMicros: Timestamp.microseconds($0.at),
                        status: PingStatus(rawValue: $0.status) ?? .down, reason: nil, intervalSeconds: 60)
                })
            index += size
        }

        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await TestClient.registerVideotrons(devices, prefix: "P", on: client)
            let metrics = TestMetrics()
            var configuration = PingWriterConfiguration()
            configuration.runsMaintenance = false
            // Small batches: eight waiting requests make several, so one copies while another commits.
            configuration.maxBatchPings = 4
            let queue = IngestQueue(capacity: 100_000)
            let writer = PingWriter(
                queue: queue, client: client, configuration: configuration, metrics: metrics, logger: TestCluster.quietLogger)
            let cursor = RequestCursor(count: requests.count)
            let plan = requests
            let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    try await writer.run()
                    return 0
                }
                let total = try await withThrowingTaskGroup(of: Int.self) { senders in
                    for _ in 0..<8 {
                        senders.addTask {
                            var accepted = 0
                            while let next = cursor.next() { accepted += try await queue.submit(IngestJob(pings: plan[next])).accepted }
                            return accepted
                        }
                    }
                    return try await senders.reduce(0, +)
                }
                queue.close()
                try await group.waitForAll()
                return total
            }
            #expect(accepted == arrival.count)
            #expect(try await TestClient.scalar(client, "SELECT count(*)::int8 FROM ping", as: Int.self) == arrival.count)
            let overlapped = metrics.counterTotal(label: "nadi_ingest_batches_overlapped_total")
            #expect(overlapped > 0, "no batch was copied while another committed: the pipelined path was not driven")
            let now = Date()
            for device in devices {
                let expected = HandTimeline.runs(history[device] ?? [], interval: 60, missCount: 3, now: now)
                var actual: [StateRun] = []
                for try await (status, reason, started, ended) in try await client.query(
                    "SELECT status, reason, started_at, ended_at FROM status_interval WHERE device_id = \(device) ORDER BY started_at"
                ).decode((String, String?, Date, Date?).self) {
                    actual.append(StateRun(status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason, start: started, end: ended))
                }
                #expect(actual == expected, "device \(device):\n stored   \(actual)\n expected \(expected)")
            }
            print("writer pipeline: \(arrival.count) pings in \(requests.count) requests, \(overlapped) batches overlapped")
        }
    }
}

/// Hands out request indexes to the senders in order.
private final class RequestCursor: Sendable {
    private let state = Mutex(0)
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        state.withLock { index in
            defer { index += 1 }
            return index < count ? index : nil
        }
    }
}
