import Foundation
import Logging
import NadiCore
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// The writer keeps the `device_state` rows it wrote in memory (schema part 14). Another writer's
/// commit in between must make it read the rows again: otherwise it would continue the device's
/// history from its own stale view.
@Suite("Writer's copy of device state")
struct WriterStateCopyTests {
    static func ping(_ second: Int, _ status: PingStatus, from origin: Date) -> ResolvedPing {
        ResolvedPing(
            deviceID: 1, kind: .videotron, observedMicros: Timestamp.microseconds(origin.addingTimeInterval(TimeInterval(second))),
            status: status, reason: nil, intervalSeconds: 120)
    }

    /// A writer of its own (its own id, queue and copy), as a second nadid would run one.
    struct Writer: Sendable {
        let queue = IngestQueue(capacity: 10_000)
        let writer: PingWriter

        init(client: DatabaseClient) {
            var configuration = PingWriterConfiguration()
            configuration.runsMaintenance = false
            writer = PingWriter(queue: queue, client: client, configuration: configuration, logger: TestCluster.quietLogger)
        }

        func send(_ pings: [ResolvedPing]) async throws {
            let receipt = try await queue.submit(IngestJob(pings: pings))
            #expect(receipt.accepted == pings.count)
        }
    }

    @Test(
        "two writers take turns on one device, a late ping last: the intervals equal the hand-computed timeline (a stale copy would put down at 180, not 120)"
    )
    func turnsOfTwoWriters() async throws {
        // Recent, so that no silence is cut between the pings (miss count 3 × 120 s): every ping
        // then continues the state it finds, which is where a stale copy would show.
        let origin = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 250).rounded(.down))
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.insertDevice(client)
            let a = Writer(client: client)
            let b = Writer(client: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.writer.run() }
                group.addTask { try await b.writer.run() }
                try await a.send([Self.ping(0, .up, from: origin)])
                try await a.send([Self.ping(60, .up, from: origin)])  // from A's copy: up since 0
                try await b.send([Self.ping(120, .down, from: origin)])  // B: down from 120
                try await a.send([Self.ping(180, .down, from: origin)])  // A must read B's row, not continue "up since 0"
                // Checked before the late ping: its re-cut from history would heal a stale copy's error.
                #expect(try await Self.runs(client, from: origin) == ["up 0–120", "down 120–"])
                try await a.send([Self.ping(240, .up, from: origin)])
                try await a.send([Self.ping(90, .up, from: origin)])  // late: re-cut from 60
                a.queue.close()
                b.queue.close()
                try await group.waitForAll()
            }
            #expect(try await Self.runs(client, from: origin) == ["up 0–120", "down 120–240", "up 240–"])
            let state = try await client.query("SELECT status, since FROM device_state WHERE device_id = 1")
                .collect().first?.decode((String, Date).self)
            #expect(state?.0 == "up")
            #expect(state?.1 == origin.addingTimeInterval(240))
        }
    }

    @Test("a device_state change by hand between two batches makes the writer read the row again")
    func handWrittenChange() async throws {
        // Recent, so that no silence is cut between the pings (miss count 3 × 120 s).
        let origin = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 150).rounded(.down))
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            try await Self.insertDevice(client)
            let a = Writer(client: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.writer.run() }
                try await a.send([Self.ping(0, .up, from: origin), Self.ping(60, .up, from: origin)])
                // As an operator repairing the rows might: the device was degraded from 90 on.
                _ = try await client.query(
                    "UPDATE device_state SET status = 'degraded', reason = NULL, since = \(origin.addingTimeInterval(90)), writer = NULL WHERE device_id = 1"
                )
                _ = try await client.query("DELETE FROM status_interval WHERE device_id = 1")
                _ = try await client.query(
                    """
                    INSERT INTO status_interval (device_id, status, started_at, ended_at) VALUES
                      (1, 'up', \(origin), \(origin.addingTimeInterval(90))), (1, 'degraded', \(origin.addingTimeInterval(90)), NULL)
                    """)
                try await a.send([Self.ping(120, .degraded, from: origin)])
                a.queue.close()
                try await group.waitForAll()
            }
            let since = try await TestClient.scalar(client, "SELECT since FROM device_state WHERE device_id = 1", as: Date.self)
            // From a stale copy ("up since 0") the writer would have re-cut from 0: degraded from 120.
            #expect(since == origin.addingTimeInterval(90))
            #expect(try await Self.runs(client, from: origin) == ["up 0–90", "degraded 90–"])
        }
    }

    /// Device 1, a videotron that never pinged.
    static func insertDevice(_ client: DatabaseClient) async throws {
        _ = try await client.query(
            """
            INSERT INTO device (id, external_id, kind, region, name, installed_on, attributes) VALUES
              (1, 'A', 'videotron', '16.71.01', 'A', '2024-01-01', '{"size_m2":1}')
            """)
        _ = try await client.query("INSERT INTO device_state (device_id, status, reason) VALUES (1, 'unknown', 'never_seen')")
    }

    /// Device 1's intervals as "status[/reason] start–end" in seconds from `origin`.
    static func runs(_ client: DatabaseClient, from origin: Date) async throws -> [String] {
        var runs: [String] = []
        for try await (status, reason, start, end) in try await client.query(
            "SELECT status, reason, started_at, ended_at FROM status_interval WHERE device_id = 1 ORDER BY started_at"
        ).decode((String, String?, Date, Date?).self) {
            let offset = { (date: Date) in Int(date.timeIntervalSince(origin).rounded()) }
            runs.append("\(status)\(reason.map { "/\($0)" } ?? "") \(offset(start))–\(end.map { String(offset($0)) } ?? "")")
        }
        return runs
    }
}
