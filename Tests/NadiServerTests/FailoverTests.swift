import Foundation
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A primary with a synchronous standby, nadid given both (`target_session_attrs=read-write`): the
/// primary is killed under load and the standby promoted; nadid finds it by itself and nothing
/// acknowledged is lost (DESIGN "Scale beyond one machine").
@Suite("Failover to a promoted standby", .serialized)
struct FailoverTests {
    /// What the senders were told was stored, and what they went through.
    final class Ledger: Sendable {
        private let state = Mutex<(acknowledged: [String: Int], refused: Int, firstAfterKill: ContinuousClock.Instant?)>(([:], 0, nil))
        let killedAt = Mutex<ContinuousClock.Instant?>(nil)

        func acknowledged(_ keys: [String]) {
            let killed = killedAt.withLock { $0 }
            state.withLock { state in
                for key in keys { state.acknowledged[key, default: 0] += 1 }
                if killed != nil, state.firstAfterKill == nil { state.firstAfterKill = .now }
            }
        }
        func refused() { state.withLock { $0.refused += 1 } }
        var keys: [String: Int] { state.withLock { $0.acknowledged } }
        var refusals: Int { state.withLock { $0.refused } }
        var recovery: Duration? {
            guard let killed = killedAt.withLock({ $0 }), let first = state.withLock({ $0.firstAfterKill }) else { return nil }
            return first - killed
        }
    }

    @Test(
        "primary killed with SIGKILL under load from 8 connections, standby promoted: nadid follows by itself, every acknowledged ping is on the new primary exactly once"
    )
    func killPrimaryPromoteStandby() async throws {
        try await ReplicatedClusters.with { clusters in
            let primary = try await clusters.setUpPrimary("primary")
            let standby = try await clusters.standby("standby", of: primary)
            // From now on a commit returns only once the standby has it.
            try clusters.append(["synchronous_standby_names = 'standby'", "synchronous_commit = on"], to: primary)
            try await clusters.pgCtl(primary, ["reload"])
            try await Self.waitUntilSynchronous(primary.url)
            let token = try await TestClient.with(primary.url) { client in
                try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                    name: "ha", region: nil, scopes: [.ingest, .inventory, .read]
                ).1
            }
            // Both servers, the primary first; nadid must pick whichever accepts writes.
            let both =
                "postgres://nadi@/nadi?host=\(primary.socketDirectory.path),\(standby.socketDirectory.path)&target_session_attrs=read-write"
            let port = ChildProcess.freePort()
            let process = try await Daemon.start(
                stateDir: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString.prefix(6))"),
                port: port,
                extra: ["--no-poll"], environment: ["NADI_DATABASE_URL": both])
            let daemon = LiveDaemon(port: port, token: token, database: primary.url, process: process)
            defer { process.send(SIGKILL) }
            let devices = (0..<40).map { "HA-\($0)" }
            let inventory = devices.map {
                #"{"id":"\#($0)","kind":"videotron","region":"16.71","name":"HA \#($0)","installed":"2024-01-01","attributes":{"size_m2":8}}"#
            }
            let registered = await daemon.post("v1/inventory", "[\(inventory.joined(separator: ","))]")
            #expect(registered.status == 200, "\(registered.body)")

            // 8 senders, 5 devices each, 60 requests of 50 pings; a refused request is sent again,
            // as an agent does, until it is acknowledged.
            let ledger = Ledger()
            let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3 * 3600).rounded(.down))
            let started = ContinuousClock.now
            do {
                try await Self.drive(
                    daemon: daemon, devices: devices, base: base, started: started, ledger: ledger, clusters: clusters,
                    primary: primary, standby: standby)
            } catch {
                // What nadid said is the only clue to why it stopped acknowledging.
                print(
                    "failover: \(error) after \(ContinuousClock.now - started), \(ledger.keys.count) pings acknowledged, \(ledger.refusals) requests refused; nadid's output:"
                )
                for line in process.output.split(separator: "\n").suffix(80) { print("  nadid: \(line.prefix(400))") }
                throw error
            }
            let recovery = ledger.recovery
            print(
                "failover: \(ledger.keys.count) pings acknowledged, \(ledger.refusals) requests refused (503 or no answer) and sent again; first acknowledgement \(recovery.map { "\($0)" } ?? "?") after the SIGKILL (promotion 1 s after it)"
            )
            for line in process.output.split(separator: "\n")
            where line.contains("database") || line.contains("503") || line.contains("batch") {
                print("  nadid: \(line.prefix(300))")
            }
            #expect(recovery != nil, "nothing was acknowledged after the primary was killed")
            #expect(await process.wait(timeout: .zero) == nil, "nadid exited instead of following the new primary")
            #expect(await ReadyProbe.status(port: port) == 200)
            #expect(ledger.keys.count == 8 * 60 * 50)
            process.send(SIGTERM)
            #expect(await process.wait(timeout: .seconds(30)) == 0, "nadid following a URL of two servers did not stop on SIGTERM")
            try await TestClient.with(standby.url) { client in
                var rows = 0
                var distinct = 0
                for try await (all, unique) in try await client.query(
                    "SELECT count(*)::int, count(DISTINCT (device_id, observed_at))::int FROM ping"
                ).decode((Int, Int).self) {
                    rows = all
                    distinct = unique
                }
                #expect(rows == distinct, "a ping stored twice")
                var stored = Set<String>()
                for try await (device, at) in try await client.query(
                    "SELECT d.external_id, p.observed_at FROM ping p JOIN device d ON d.id = p.device_id"
                ).decode((String, Date).self) { stored.insert("\(device)@\(Timestamp.format(at))") }
                let lost = Set(ledger.keys.keys).subtracting(stored)
                #expect(lost.isEmpty, "\(lost.count) acknowledged pings are not on the new primary, e.g. \(lost.sorted().prefix(3))")
            }
        }
    }

    /// 8 senders, 5 devices each, 60 requests of 50 pings; a refused request is sent again, as an
    /// agent does, until it is acknowledged. 3 s in, the primary is killed; 1 s later the standby
    /// is promoted.
    static func drive(
        daemon: LiveDaemon, devices: [String], base: Date, started: ContinuousClock.Instant, ledger: Ledger,
        clusters: ReplicatedClusters, primary: EmbeddedPostgres, standby: EmbeddedPostgres
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<8 {
                group.addTask {
                    let mine = Array(devices[(sender * 5)..<(sender * 5 + 5)])
                    for request in 0..<60 {
                        var keys: [String] = []
                        var pings: [String] = []
                        for device in mine {
                            for step in 0..<10 {
                                let at = base.addingTimeInterval(TimeInterval(request * 10 + step))
                                keys.append("\(device)@\(Timestamp.format(at))")
                                pings.append(Fixtures.ping(device, at))
                            }
                        }
                        let body = "[\(pings.joined(separator: ","))]"
                        var done = false
                        while !done {
                            guard ContinuousClock.now - started < .seconds(240) else {
                                throw ChildProcessError(description: "no progress")
                            }
                            let answer = await daemon.post("v1/pings", body)
                            let outcome = try? JSONDecoder().decode(Outcome.self, from: Data(answer.body.utf8))
                            if answer.status == 200, let outcome, outcome.accepted + outcome.duplicates == pings.count {
                                ledger.acknowledged(keys)
                                done = true
                            } else {
                                #expect(answer.status != 200, "a 200 that does not account for the batch: \(answer.body)")
                                ledger.refused()
                                try await Task.sleep(for: .milliseconds(200))
                            }
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(3))
                ledger.killedAt.withLock { $0 = .now }
                await clusters.kill(primary)
                try await Task.sleep(for: .seconds(1))
                try await clusters.pgCtl(standby, ["promote"])
            }
            try await group.waitForAll()
        }
    }

    /// Waits until the primary reports a synchronous standby.
    static func waitUntilSynchronous(_ primary: DatabaseURL) async throws {
        _ = try await TestClient.with(primary) { client in
            try await eventually("the standby becomes synchronous", timeout: .seconds(20)) {
                try await client.query("SELECT sync_state FROM pg_stat_replication").collect().map { try $0.decode(String.self) }
            } until: {
                $0.contains("sync")
            }
        }
    }
}
