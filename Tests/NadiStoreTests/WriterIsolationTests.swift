import Foundation
import Logging
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// A batch that the database refuses because of one request's data must not fail the other
/// requests of the batch (issue 12, item 4): the writer splits the batch, refuses the one bad row
/// with a reason, and commits the rest.
@Suite("Writer isolates a bad row")
struct WriterIsolationTests {
    static func ping(_ device: Int64, _ second: Int, reason: String? = nil) -> ResolvedPing {
        ResolvedPing(
            deviceID: device, kind: .videotron,
            observedMicros: Timestamp.microseconds(Date().addingTimeInterval(-600)) + Int64(second) * 1_000_000,
            status: .up, reason: reason, intervalSeconds: 60)
    }

    @Test("three requests in one batch, one with a NUL byte the validation did not catch: the others are stored, the culprit refused")
    func culpritIsolated() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            _ = try await client.query(
                """
                INSERT INTO device (id, external_id, kind, region, name, installed_on, attributes) VALUES
                  (1, 'A', 'videotron', '16.71.01', 'A', '2024-01-01', '{"size_m2":1}'), (2, 'B', 'videotron', '16.71.01', 'B', '2024-01-01', '{"size_m2":1}')
                """)
            _ = try await client.query(
                "INSERT INTO device_state (device_id, status, reason) VALUES (1, 'unknown', 'never_seen'), (2, 'unknown', 'never_seen')")
            let queue = IngestQueue(capacity: 10_000)
            let writer = PingWriter(queue: queue, client: client, logger: TestCluster.quietLogger)
            let honestA = IngestJob(pings: (0..<50).map { Self.ping(1, $0) })
            let hostile = IngestJob(pings: [Self.ping(2, 1), Self.ping(2, 2, reason: "bad\u{0}byte"), Self.ping(2, 3)])
            let honestB = IngestJob(pings: (50..<100).map { Self.ping(1, $0) })
            let receipts = try await withThrowingTaskGroup(of: (Int, IngestReceipt).self) { group in
                for (index, job) in [honestA, hostile, honestB].enumerated() {
                    group.addTask { (index, try await queue.submit(job)) }
                    while queue.depth < [50, 53, 103][index] { try await Task.sleep(for: .milliseconds(2)) }
                }
                group.addTask {
                    try await writer.run()
                    return (-1, IngestReceipt(stored: []))
                }
                var receipts: [Int: IngestReceipt] = [:]
                for _ in 0..<3 {
                    if let (index, receipt) = try await group.next() { receipts[index] = receipt }
                }
                queue.close()
                try await group.waitForAll()
                return receipts
            }
            #expect(receipts[0]?.accepted == 50)
            #expect(receipts[2]?.accepted == 50)
            #expect(receipts[1]?.accepted == 2)
            #expect(receipts[1]?.refused.keys.sorted() == [1])
            #expect(receipts[1]?.refused[1]?.contains("SQLSTATE 22") == true, "\(receipts[1]?.refused ?? [:])")
            #expect(receipts[1]?.duplicates == 0)
            #expect(try await TestClient.scalar(client, "SELECT count(*)::int8 FROM ping", as: Int.self) == 102)
        }
    }
}
