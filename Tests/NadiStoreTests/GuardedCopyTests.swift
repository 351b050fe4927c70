import Foundation
import Logging
import NIOCore
import NIOPosix
import NadiTestSupport
import PostgresNIO
import Testing

@testable import NadiStore

/// A COPY whose connection PostgreSQL closes in the middle fails with an error; it neither takes the
/// process down (postgres-nio 1.33.2 traps when a copy's write reaches a connection closed a moment
/// before: `FailoverTests` crashed `nadid` that way) nor hangs (a copy sent in parts, as the writer
/// did before `GuardedCopy`, waited forever here: its write was waiting for the channel to drain).
@Suite("COPY on a connection the server closes")
struct GuardedCopyTests {
    @Test(
        "a backend terminated in the middle of a 24 MB COPY, 12 times: each copy cut off throws, nothing traps or hangs, the next connection is served",
        .timeLimit(.minutes(1))
    )
    func terminatedMidCopy() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            _ = try await client.query("CREATE TABLE copy_sink (line text)")
            let line = String(repeating: "x", count: 1023) + "\n"
            let data = ByteBuffer(string: String(repeating: line, count: 24 * 1024))
            var failed = 0
            for round in 0..<12 {
                // (A trap in postgres-nio would end the whole test process here, a hang the test's time limit.)
                // A connection of its own (the pool's would be handed out again after it was killed).
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try url.connectionConfiguration(), id: round,
                    logger: TestCluster.quietLogger)
                let outcome = await {
                    guard
                        let pid = try? await connection.query("SELECT pg_backend_pid()", logger: TestCluster.quietLogger)
                            .collect().first?.decode(Int32.self)
                    else { return "no pid" }
                    let terminator = Task {
                        // As soon as the copy is under way, from another connection.
                        let deadline = ContinuousClock.now + .seconds(20)
                        while !Task.isCancelled, ContinuousClock.now < deadline {
                            let done = try await TestClient.scalar(
                                client,
                                "SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active' AND query LIKE 'COPY%'",
                                as: Bool.self)
                            if done == true { return }
                        }
                    }
                    do {
                        try await GuardedCopy.copy(
                            data, into: "copy_sink", columns: ["line"], on: connection, logger: TestCluster.quietLogger)
                        terminator.cancel()
                        _ = try? await terminator.value
                        return "copied"
                    } catch {
                        terminator.cancel()
                        _ = try? await terminator.value
                        return "failed"
                    }
                }()
                try? await connection.close()
                #expect(outcome != "no pid")
                if outcome == "failed" { failed += 1 }
            }
            // A copy may finish before the terminate lands; most must not.
            #expect(failed >= 6, "only \(failed) of 12 copies were cut off: the test did not exercise the closed connection")
            #expect(try await TestClient.scalar(client, "SELECT 1", as: Int.self) == 1)
        }
    }
}
