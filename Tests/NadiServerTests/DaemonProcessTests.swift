import Foundation
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

@Suite("nadid as a process")
struct DaemonProcessTests {
    @Test("SIGTERM under load: every acknowledged ping is stored, and the embedded PostgreSQL stops with nadid")
    func sigtermUnderLoad() async throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-sigterm-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: stateDir) }
        let port = ChildProcess.freePort()
        let daemon = try ChildProcess(
            product: "nadid", arguments: ["--state-dir", stateDir.path, "--port", String(port), "--no-image-checks"])
        let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        try await Daemon.waitUntilReady(daemon, port: port)
        let installation = try await PostgresInstallation.locate()
        let cluster = EmbeddedPostgres(stateDirectory: stateDir, installation: installation, logger: TestCluster.quietLogger)
        let serverPID = try #require(cluster.serverPID())
        let token = try await TestClient.with(cluster.url) { client in
            _ = try await RegionImporter(client: client, logger: TestCluster.quietLogger).importRows(
                RegionImporter.parse(
                    CSVDocument(
                        data: Data(
                            "code,parent_code,level,name,type\n16,,province,Sumatera Selatan,provinsi\n16.71,16,regency,Kota Palembang,kota\n"
                                .utf8))))
            return try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "load", region: nil, scopes: [.ingest, .inventory]
            ).1
        }
        let devices = (0..<50).map {
            #"{"id":"LOAD-\#($0)","kind":"videotron","region":"16.71","name":"Load \#($0)","installed":"2025-01-01","attributes":{"size_m2":10}}"#
        }
        let (status, _) = await Daemon.post(
            base.appendingPathComponent("v1/inventory"), token: token, body: "[\(devices.joined(separator: ","))]")
        try #require(status == 200)

        // Load: 4 senders, 200 pings a request, each ping unique; a ledger of what got a 2xx.
        let acknowledged = Ledger()
        let start = Date().addingTimeInterval(-3000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<4 {
                group.addTask {
                    var batch = 0
                    while batch < 400 {
                        let pings = (0..<200).map { n -> (String, String) in
                            let at = Timestamp.format(start.addingTimeInterval(Double(batch * 200 + n) * 0.004 + Double(sender) * 0.001))
                            let micros = Timestamp.parse(at).map(Timestamp.microseconds) ?? 0
                            return ("LOAD-\(n % 50)|\(micros)", #"{"device":"LOAD-\#(n % 50)","at":"\#(at)","status":"up"}"#)
                        }
                        let (code, _) = await Daemon.post(
                            base.appendingPathComponent("v1/pings"), token: token, body: "[\(pings.map(\.1).joined(separator: ","))]")
                        if code == 200 { acknowledged.add(pings.map(\.0)) }
                        if code == 0 { break }
                        batch += 1
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(1500))
                daemon.send(SIGTERM)
            }
            try await group.waitForAll()
        }
        let exit = await daemon.wait(timeout: .seconds(60))
        #expect(exit == 0, "nadid exits cleanly on SIGTERM: \(daemon.output.suffix(2000))")
        #expect(await ProcessCheck.waitUntilGone(serverPID), "the embedded PostgreSQL stopped with nadid")
        let ledger = acknowledged.entries
        #expect(ledger.count > 0, "some pings were acknowledged before SIGTERM")
        print("sigterm under load: \(ledger.count) pings acknowledged")

        // Every acknowledged ping is in the database, exactly once.
        _ = try await cluster.start()
        let found = try await TestClient.with(cluster.url) { client in
            var keys = Set<String>()
            for try await (device, at) in try await client.query(
                "SELECT d.external_id, p.observed_at FROM ping p JOIN device d ON d.id = p.device_id"
            ).decode((String, PostgresTimestamp).self) {
                keys.insert("\(device)|\(at.microseconds)")
            }
            return keys
        }
        try await cluster.stop()
        let missing = ledger.filter { !found.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) of \(ledger.count) acknowledged pings are missing")
        #expect(Set(ledger).count == ledger.count)
    }
}

/// What a load generator got acknowledged.
final class Ledger: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ keys: [String]) { storage.withLock { $0 += keys } }
    var entries: [String] { storage.withLock { $0 } }
}
