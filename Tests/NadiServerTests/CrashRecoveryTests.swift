import Foundation
import NIOCore
import NadiBench
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// nadid as a process, killed without warning. Scale with NADI_SOAK_KILLS, NADI_SOAK_KILL_EVERY (seconds) and NADI_SOAK_BATCHES
/// (`Deploy/soak.sh` does) for longer runs; the defaults keep the suite fast.
@Suite("Crash recovery")
struct CrashRecoveryTests {
    static let kills = ProcessInfo.processInfo.environment["NADI_SOAK_KILLS"].flatMap(Int.init) ?? 1
    static let batchesPerSender = ProcessInfo.processInfo.environment["NADI_SOAK_BATCHES"].flatMap(Int.init) ?? 40
    static let killEvery = ProcessInfo.processInfo.environment["NADI_SOAK_KILL_EVERY"].flatMap(Double.init) ?? 1.5

    @Test("SIGKILL mid-stream, restart, retry: every acknowledged ping is stored exactly once and nothing is stored twice")
    func sigkillAndRestart() async throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-sigkill-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: stateDir) }
        let port = ChildProcess.freePort()
        let daemon = DaemonSlot(try await Daemon.start(stateDir: stateDir, port: port))
        let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        let cluster = EmbeddedPostgres(
            stateDirectory: stateDir, installation: try await PostgresInstallation.locate(), logger: TestCluster.quietLogger)
        let token = try await Daemon.seed(cluster: cluster, devices: 50, base: base)

        // Four senders, each with its own batches of unique pings; a batch is retried until it gets a
        // 2xx. `acknowledged` is the ledger; `accepted` sums what the answers said was newly stored.
        let acknowledged = Ledger()
        let tally = SenderTally()
        let start = Date().addingTimeInterval(-3000)
        let recoveries = RecoveryTimes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<4 {
                group.addTask {
                    for batch in 0..<Self.batchesPerSender {
                        let (keys, body) = LedgerSender.batch(sender: sender, batch: batch, size: 100, start: start)
                        let outcome = try await LedgerSender.untilAcknowledged(
                            port: port, token: token, body: body, context: { daemon.current.output.suffix(1500).description })
                        acknowledged.add(keys)
                        tally.accepted.add(outcome.accepted, ordering: .relaxed)
                        tally.duplicates.add(outcome.duplicates, ordering: .relaxed)
                        tally.sent.add(keys.count, ordering: .relaxed)
                    }
                }
            }
            group.addTask {
                for _ in 0..<Self.kills {
                    try await Task.sleep(for: .seconds(Self.killEvery))
                    let killed = daemon.current
                    killed.send(SIGKILL)
                    #expect(await killed.wait(timeout: .seconds(10)) == 128 + SIGKILL)
                    let restarted = ContinuousClock.now
                    daemon.current = try await Daemon.start(stateDir: stateDir, port: port)
                    recoveries.add(ContinuousClock.now - restarted)
                }
            }
            try await group.waitForAll()
        }
        let serverPID = try #require(cluster.serverPID())
        daemon.current.send(SIGTERM)
        #expect(
            await daemon.current.wait(timeout: .seconds(60)) == 0,
            "the restarted nadid exits cleanly: \(daemon.current.output.suffix(1500))")
        #expect(await ProcessCheck.waitUntilGone(serverPID), "the restarted nadid adopted the embedded PostgreSQL and stopped it")

        _ = try await cluster.start()
        let (rows, found) = try await LedgerSender.stored(cluster.url)
        try await cluster.stop()
        let ledger = acknowledged.entries
        let missing = ledger.filter { !found.contains($0) }
        print(
            "sigkill: \(tally.sent.load(ordering: .relaxed)) pings sent, \(ledger.count) acknowledged, \(rows) stored, \(missing.count) lost, "
                + "\(rows - found.count) stored twice, \(tally.duplicates.load(ordering: .relaxed)) reported as duplicates on retry; "
                + "\(Self.kills) kill(s), ready again after \(recoveries.all)")
        #expect(missing.isEmpty, "\(missing.count) acknowledged pings are missing, e.g. \(missing.prefix(3))")
        #expect(ledger.count == Set(ledger).count)
        #expect(rows == found.count, "no ping is stored twice")
        #expect(rows == ledger.count, "nothing but acknowledged pings is stored")
        #expect(tally.accepted.load(ordering: .relaxed) <= rows, "no ping was reported accepted twice")
        #expect(
            tally.accepted.load(ordering: .relaxed) + tally.duplicates.load(ordering: .relaxed) == ledger.count,
            "each acknowledged ping was answered as accepted or, after a retry of a batch committed before the kill, as a duplicate")
    }
}

/// What the senders were told.
final class SenderTally: Sendable {
    let accepted = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
}

/// How long each restart took until nadid was ready.
final class RecoveryTimes: Sendable {
    private let times = Mutex<[Duration]>([])
    func add(_ time: Duration) { times.withLock { $0.append(time) } }
    var all: [Duration] { times.withLock { $0 } }
}

/// The nadid currently running (replaced on restart).
final class DaemonSlot: Sendable {
    private let storage: Mutex<ChildProcess>
    init(_ process: ChildProcess) { storage = Mutex(process) }
    var current: ChildProcess {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
