import Foundation
import NIOCore
import NadiBench
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiSupport
import NadiTestSupport
import PostgresNIO
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fault sequence that once wedged the writer for good (issue 12, item 5): under load from 8
/// connections, SIGKILL nadid, restart it, stop PostgreSQL (`pg_ctl -m fast stop`) for about 6 s and
/// start it again. The restarted nadid must commit again by itself, `/readyz` must tell the truth
/// meanwhile, and SIGTERM must end it in bounded time.
@Suite("Writer after a database restart")
struct WriterWedgeTests {
    @Test("SIGKILL, restart, PostgreSQL stopped for 6 s under load: ingest resumes, nothing acknowledged is lost, SIGTERM ends nadid")
    func killThenDatabaseRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-wedge-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = EmbeddedPostgres(
            stateDirectory: directory, installation: try await PostgresInstallation.locate(), durable: false,
            logger: TestCluster.quietLogger)
        _ = try await cluster.start()
        // The cluster is stopped before the test returns, whatever happened (a Task in a `defer`
        // could outlive a test run of this suite alone, leaving PostgreSQL running).
        do {
            let port = ChildProcess.freePort()
            let environment = ["NADI_DATABASE_URL": cluster.url.connectionString]
            let arguments = ["--shutdown-timeout", "10", "--no-poll"]
            let daemon = DaemonSlot(
                try await Daemon.start(
                    stateDir: directory.appendingPathComponent("unused"), port: port, extra: arguments, environment: environment))
            let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
            let token = try await Daemon.seed(cluster: cluster, devices: 50, base: base)

            let acknowledged = Ledger()
            let tally = SenderTally()
            let firstAckAfterRestart = Locked<ContinuousClock.Instant?>(nil)
            let databaseBack = Locked<ContinuousClock.Instant?>(nil)
            let start = Date().addingTimeInterval(-3000)
            let readyWhileDown = Locked<[Int]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        // Until 3 s after PostgreSQL is back (at most 400 batches).
                        for batch in 0..<400 {
                            if let back = databaseBack.withLock({ $0 }), ContinuousClock.now > back + .seconds(3) { break }
                            let (keys, body) = LedgerSender.batch(sender: sender, batch: batch, size: 200, start: start)
                            let outcome = try await LedgerSender.untilAcknowledged(
                                port: port, token: token, body: body, attempt: .seconds(20),
                                context: { daemon.current.output.suffix(1500).description })
                            acknowledged.add(keys)
                            tally.accepted.add(outcome.accepted, ordering: .relaxed)
                            tally.duplicates.add(outcome.duplicates, ordering: .relaxed)
                            if databaseBack.withLock({ $0 }) != nil { firstAckAfterRestart.withLock { $0 = $0 ?? ContinuousClock.now } }
                            tally.sent.add(keys.count, ordering: .relaxed)
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(1.5))
                    let killed = daemon.current
                    killed.send(SIGKILL)
                    #expect(await killed.wait(timeout: .seconds(10)) == 128 + SIGKILL)
                    daemon.current = try await Daemon.start(
                        stateDir: directory.appendingPathComponent("unused"), port: port, extra: arguments, environment: environment)
                    try await Task.sleep(for: .seconds(1))
                    try await cluster.stop()
                    for _ in 0..<6 {
                        try await Task.sleep(for: .seconds(1))
                        let status = await ReadyProbe.status(port: port)
                        readyWhileDown.withLock { $0.append(status) }
                    }
                    _ = try await cluster.start()
                    databaseBack.withLock { $0 = ContinuousClock.now }
                }
                try await group.waitForAll()
            }
            // Ready again, nothing left queued.
            var ready = 0
            for _ in 0..<100 where ready != 200 {
                ready = await ReadyProbe.status(port: port)
                if ready != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready == 200, "nadid is ready again: \(daemon.current.output.suffix(1500))")
            #expect(
                readyWhileDown.withLock { $0 }.allSatisfy { $0 == 503 },
                "readyz said 503 while the database was down: \(readyWhileDown.withLock { $0 })")

            let stopping = ContinuousClock.now
            daemon.current.send(SIGTERM)
            let status = await daemon.current.wait(timeout: .seconds(40))
            #expect(status == 0, "SIGTERM ends nadid cleanly: \(daemon.current.output.suffix(1500))")

            let (rows, found) = try await LedgerSender.stored(cluster.url)
            let ledger = acknowledged.entries
            let missing = ledger.filter { !found.contains($0) }
            let recovery = zip(databaseBack.withLock { $0 }.map { [$0] } ?? [], firstAckAfterRestart.withLock { $0 }.map { [$0] } ?? [])
                .map { $1 - $0 }.first
            print(
                "wedge: \(tally.sent.load(ordering: .relaxed)) pings sent, \(ledger.count) acknowledged, \(rows) stored, \(missing.count) lost, "
                    + "\(rows - found.count) stored twice; first acknowledgement \(recovery.map { "\($0)" } ?? "?") after PostgreSQL came back; "
                    + "readyz while down: \(readyWhileDown.withLock { $0 }); SIGTERM took \(ContinuousClock.now - stopping)")
            #expect(recovery != nil, "a batch was acknowledged after PostgreSQL came back")
            #expect(missing.isEmpty, "\(missing.count) acknowledged pings are missing")
            #expect(rows == found.count, "no ping is stored twice")
            #expect(rows == ledger.count, "nothing but acknowledged pings is stored")
        } catch {
            try? await cluster.stop()
            throw error
        }
        try? await cluster.stop()
    }
}

/// A value shared between a test's tasks.
final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { storage.withLock { body(&$0) } }
}
