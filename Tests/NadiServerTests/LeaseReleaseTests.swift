import Foundation
import NadiCore
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A nadid stopped cleanly gives up every lease it holds, so the next step of an operator's
/// procedure (another nadid, `nadi federation publish`) need not wait for them to lapse.
@Suite("Leases on shutdown")
struct LeaseReleaseTests {
    @Test(
        "after SIGTERM a nadid holds no lease, the poller's included: nadi federation publish, which refuses while one is held, need not wait"
    )
    func publishRightAfterStop() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let port = ChildProcess.freePort()
        let daemon = try await Daemon.start(
            stateDir: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString.prefix(6))"), port: port,
            environment: ["NADI_DATABASE_URL": NadiCLI.databaseText(url)])
        defer { daemon.send(SIGKILL) }
        let held = try await TestClient.with(url) { client async throws -> Set<String> in
            try await eventually("the running nadid holds its leases", timeout: .seconds(30)) {
                Set(
                    try await client.query("SELECT name FROM service_lease WHERE expires_at > now()").collect().map {
                        try $0.decode(String.self)
                    })
            } until: {
                $0.isSuperset(of: ["poller", "notifier"])
            }
        }
        #expect(held.isSuperset(of: ["poller", "notifier"]), "the running nadid holds its leases: \(held)")
        daemon.send(SIGTERM)
        #expect(await daemon.wait(timeout: .seconds(30)) == 0, "\(daemon.output.suffix(1000))")
        let left = try await TestClient.with(url) { client in
            try await TestClient.scalar(client, "SELECT count(*)::int8 FROM service_lease WHERE expires_at > now()", as: Int.self)
        }
        #expect(left == 0, "a clean stop leaves no lease (publish counts the leases that have not lapsed)")
    }
}
