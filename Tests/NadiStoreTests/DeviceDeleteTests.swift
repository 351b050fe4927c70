import Foundation
import Logging
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// `status_interval` has no foreign key to `device` (schema part 16): triggers delete a device's
/// intervals with it, and the delete takes the state lock, so a batch never leaves intervals (or
/// alert events) behind for a device deleted while it ran.
@Suite("Deleting devices and their history")
struct DeviceDeleteTests {
    @Test(
        "deleting a device deletes its intervals and alert events and keeps the others'; TRUNCATE device empties both tables"
    )
    func deleteAndTruncate() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.insertDevices(client, ids: [1, 2])
            _ = try await client.query(
                """
                INSERT INTO status_interval (device_id, status, started_at, ended_at) VALUES
                  (1, 'up', now() - interval '2 hours', now() - interval '1 hour'), (1, 'down', now() - interval '1 hour', NULL),
                  (2, 'up', now() - interval '2 hours', NULL)
                """)
            _ = try await client.query(
                """
                INSERT INTO alert_event (device_id, from_status, to_status, at) VALUES
                  (1, 'up', 'down', now() - interval '1 hour'), (2, 'unknown', 'up', now() - interval '2 hours')
                """)
            _ = try await client.query("DELETE FROM device WHERE id = 1")
            #expect(try await Self.intervals(client, device: 1) == 0)
            #expect(try await Self.intervals(client, device: 2) == 1)
            #expect(try await Self.events(client, device: 1) == 0)
            #expect(try await Self.events(client, device: 2) == 1)
            _ = try await client.query("TRUNCATE device CASCADE")
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM status_interval", as: Int.self) == 0)
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM alert_event", as: Int.self) == 0)
        }
    }

    @Test(
        "a batch that waits for a device's delete stores its ping but writes no interval and no alert event for the deleted device; the next batch goes on"
    )
    func batchWaitingForADelete() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.insertDevices(client, ids: [1, 2])
            let writer = WriterStateCopyTests.Writer(client: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.writer.run() }
                let pending = try await client.transaction(logger: TestCluster.quietLogger) { connection in
                    // The delete holds the state lock until this transaction commits.
                    _ = try await connection.query("DELETE FROM device WHERE id = 1", logger: TestCluster.quietLogger)
                    let batch = Task { try await writer.queue.submit(IngestJob(pings: [Self.ping(device: 1)])) }
                    try await Self.waitForAdvisoryWaiter(client)
                    return batch
                }
                let receipt = try await pending.value
                #expect(receipt.accepted == 1, "the ping was committed: acknowledged")
                #expect(try await Self.intervals(client, device: 1) == 0, "intervals left behind for a deleted device")
                #expect(try await Self.events(client, device: 1) == 0, "an alert event left behind for a deleted device")

                try await writer.send([Self.ping(device: 2)])
                #expect(try await Self.intervals(client, device: 2) == 1)
                writer.queue.close()
                try await group.waitForAll()
            }
        }
    }

    static func ping(device: Int64) -> ResolvedPing {
        ResolvedPing(
            deviceID: device, kind: .videotron, observedMicros: Timestamp.microseconds(Date().addingTimeInterval(-5)), status: .up,
            reason: nil, intervalSeconds: 120)
    }

    static func insertDevices(_ client: DatabaseClient, ids: [Int64]) async throws {
        for id in ids {
            _ = try await client.query(
                """
                INSERT INTO device (id, external_id, kind, region, name, installed_on, attributes) VALUES
                  (\(id), \("D\(id)"), 'videotron', '16.71.01', 'D', '2024-01-01', '{"size_m2":1}')
                """)
            _ = try await client.query("INSERT INTO device_state (device_id, status, reason) VALUES (\(id), 'unknown', 'never_seen')")
        }
    }

    static func intervals(_ client: DatabaseClient, device: Int64) async throws -> Int {
        try await TestClient.scalar(client, "SELECT count(*) FROM status_interval WHERE device_id = \(device)", as: Int.self) ?? -1
    }

    static func events(_ client: DatabaseClient, device: Int64) async throws -> Int {
        try await TestClient.scalar(client, "SELECT count(*) FROM alert_event WHERE device_id = \(device)", as: Int.self) ?? -1
    }

    /// Returns once a session waits for an advisory lock (the writer's batch, at the state lock).
    static func waitForAdvisoryWaiter(_ client: DatabaseClient) async throws {
        try await eventually("a batch waits for the state lock", every: .milliseconds(50)) {
            try await TestClient.scalar(client, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", as: Int.self)
                ?? 0
        } until: {
            $0 > 0
        }
    }
}
