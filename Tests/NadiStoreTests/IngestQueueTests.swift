import Foundation
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

@Suite("Ingest queue and partitions")
struct IngestQueueTests {
    static func job(_ count: Int) -> IngestJob {
        IngestJob(
            pings: (0..<count).map {
                ResolvedPing(deviceID: 1, kind: .cctv, observedMicros: Int64($0), status: .up, intervalSeconds: 60)
            })
    }

    @Test("a full queue refuses at once (the request gets 503); what is queued is still answered")
    func queueFull() async throws {
        let queue = IngestQueue(capacity: 3)
        try await withThrowingTaskGroup(of: IngestReceipt.self) { group in
            group.addTask { try await queue.submit(Self.job(2)) }
            while queue.depth == 0 { try await Task.sleep(for: .milliseconds(5)) }
            await #expect(throws: IngestUnavailable.queueFull) { try await queue.submit(Self.job(2)) }
            let taken = queue.take(maxPings: 100)
            #expect(taken.count == 1)
            for pending in taken { pending.continuation.resume(returning: IngestReceipt(stored: [true, false])) }
            let receipt = try await group.next()
            #expect(receipt?.accepted == 1)
            #expect(receipt?.duplicates == 1)
        }
        queue.close()
        await #expect(throws: IngestUnavailable.shuttingDown) { try await queue.submit(Self.job(1)) }
    }

    @Test("ping partitions are created on demand and dropped after the retention")
    func partitions() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            for day in ["2026-01-01", "2026-01-02", "2026-03-01"] {
                _ = try await client.query("SELECT nadi_ensure_ping_partition(\(day)::date)")
            }
            _ = try await client.query(
                "INSERT INTO ping (device_id, observed_at, status) VALUES (1, '2026-01-01T12:00:00Z', 'up'), (1, '2026-03-01T12:00:00Z', 'up')"
            )
            let dropped = try await TestClient.scalar(client, "SELECT nadi_drop_ping_partitions_before('2026-02-01')", as: Int.self)
            #expect(dropped == 2)
            #expect(try await TestClient.scalar(client, "SELECT count(*)::int8 FROM ping", as: Int.self) == 1)
            #expect(try await TestClient.scalar(client, "SELECT to_regclass('ping_p20260301') IS NOT NULL", as: Bool.self) == true)
        }
    }
}
