import Foundation
import Logging
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// The silence sweep looks for silent devices without the state lock that orders the ingest
/// writers, takes it only when it found some, and checks them again under it.
@Suite("Silence sweep and the state lock")
struct SilenceSweepLockTests {
    @Test("with no silent device a sweep never waits for the state lock a writer holds")
    func nothingSilentDoesNotWait() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.insertDevice(client, lastSeen: Date().addingTimeInterval(-60))
            let sweeper = SilenceSweeper(client: client, missCount: 3, grace: 5, logger: TestCluster.quietLogger)
            try await Self.holdingStateLock(client) { _ in
                let outcome = try await Self.within(.seconds(10)) { try await sweeper.sweep(now: Date()) }
                #expect(outcome?.silenced == [], "the sweep waited for the lock (nil: did not return within 10 s)")
            }
        }
    }

    @Test(
        "a device that looked silent but was seen while the sweep waited for the lock is not silenced; one still silent is, once the lock is free"
    )
    func checkedAgainUnderTheLock() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            // 3 × 120 s + 5 s: silent after 365 s.
            try await Self.insertDevice(client, lastSeen: Date().addingTimeInterval(-1000))
            let sweeper = SilenceSweeper(client: client, missCount: 3, grace: 5, logger: TestCluster.quietLogger)
            let rescued = try await Self.holdingStateLock(client) { connection in
                let sweep = Task { try await sweeper.sweep(now: Date()) }
                try await Task.sleep(for: .seconds(1))
                // As the writer would, under the lock: a fresh ping's time reaches device_state.
                _ = try await connection.query(
                    "UPDATE device_state SET last_seen = now() WHERE device_id = 1", logger: TestCluster.quietLogger)
                return sweep
            }
            #expect(try await rescued.value.silenced == [], "silenced on the stale view taken before the lock")
            #expect(try await TestClient.scalar(client, "SELECT status FROM device_state WHERE device_id = 1", as: String.self) == "up")

            _ = try await client.query("UPDATE device_state SET last_seen = now() - interval '1000 seconds' WHERE device_id = 1")
            let silenced = try await Self.holdingStateLock(client) { _ in
                let sweep = Task { try await sweeper.sweep(now: Date()) }
                try await Task.sleep(for: .seconds(1))
                return sweep
            }
            #expect(try await silenced.value.silenced == [1])
            let state = try await client.query("SELECT status, reason FROM device_state WHERE device_id = 1").collect().first?
                .decode((String, String?).self)
            #expect(state?.0 == "down" && state?.1 == "silent")
        }
    }

    /// Runs `body` inside a transaction that holds the state lock, as an ingest batch does; the
    /// lock is released when `body` returns. Hands back what `body` returned.
    static func holdingStateLock<T: Sendable>(
        _ client: DatabaseClient, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.transaction(logger: TestCluster.quietLogger) { connection in
            try await StateLock.take(on: connection, logger: TestCluster.quietLogger)
            return try await body(connection)
        }
    }

    /// `work`'s result, or nil when it did not finish within `limit` (then cancelled).
    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Device 1, a videotron with a 120 s heartbeat, up since an hour ago and last seen at `lastSeen`.
    static func insertDevice(_ client: DatabaseClient, lastSeen: Date) async throws {
        _ = try await client.query(
            """
            INSERT INTO device (id, external_id, kind, region, name, installed_on, interval_s, attributes) VALUES
              (1, 'A', 'videotron', '16.71.01', 'A', '2024-01-01', 120, '{"size_m2":1}')
            """)
        let since = Date().addingTimeInterval(-3600)
        _ = try await client.query(
            "INSERT INTO device_state (device_id, status, since, last_seen) VALUES (1, 'up', \(since), \(lastSeen))")
        _ = try await client.query("INSERT INTO status_interval (device_id, status, started_at) VALUES (1, 'up', \(since))")
    }
}
