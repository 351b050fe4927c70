import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiNotify
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Prometheus
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Alerts survive a crash, and many nadid send each message once.
@Suite("Alerts across crashes and instances")
struct AlertCrashTests {
    @Test(
        "nadid SIGKILLed after the state change committed, while the message is on its way: it arrives after the restart, same Nadi-Event-Id"
    )
    func killedBeforeDelivery() async throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-alertkill-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: stateDir) }
        let port = ChildProcess.freePort()
        let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        let cluster = EmbeddedPostgres(
            stateDirectory: stateDir, installation: try await PostgresInstallation.locate(), logger: TestCluster.quietLogger)
        // The first try hangs (the receiver is slow) and nadid dies meanwhile; later tries succeed.
        try await AlertReceiver.with(answer: { index, _ in index == 0 ? .hang : .status(.ok) }) { receiver in
            var daemon = try await Daemon.start(stateDir: stateDir, port: port)
            let token = try await Daemon.seed(cluster: cluster, devices: 1, base: base)
            try await TestClient.with(cluster.url) { client in
                _ = try await ChannelStore(client: client, logger: TestCluster.quietLogger).add(
                    NotifyChannelRequest(
                        name: "ops", region: nil, kinds: nil, minDownSeconds: 0,
                        target: .webhook(url: try #require(URL(string: receiver.url))),
                        secret: "s3cret"))
            }
            let down = #"[{"device":"CRASH-0","status":"down","reason":"panel off"}]"#
            #expect(await Daemon.post(base.appendingPathComponent("v1/pings"), token: token, body: down).0 == 200)
            let first = try await receiver.waitFor(1)
            try #require(first.count == 1, "nadid started the delivery: \(daemon.output.suffix(1500))")
            daemon.send(SIGKILL)
            #expect(await daemon.wait(timeout: .seconds(10)) == 128 + SIGKILL)
            let restarted = ContinuousClock.now
            daemon = try await Daemon.start(stateDir: stateDir, port: port)
            let both = try await receiver.waitFor(2, timeout: .seconds(40))
            let took = ContinuousClock.now - restarted
            print(
                "alert after SIGKILL: delivered \(took) after the restart; \(both.count) tries, event ids \(Set(both.compactMap(\.eventID)))"
            )
            #expect(both.count == 2, "the message arrived after the restart: \(daemon.output.suffix(1500))")
            #expect(Set(both.compactMap(\.eventID)).count == 1, "at least once, with the same Nadi-Event-Id")
            #expect(both.last.map { AlertReceiver.signatureValid($0, secret: "s3cret") } == true)
            daemon.send(SIGTERM)
            #expect(await daemon.wait(timeout: .seconds(60)) == 0)
        }
    }

    @Test("two nadid on one database, a fiber cut's pings split between them: each message is sent once")
    func twoInstances() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await AlertReceiver.with { receiver in
            try await TestClient.with(url, maximumConnections: 2) { assertions in
                let (_, token) = try await TokenStore(client: assertions, logger: TestCluster.quietLogger).create(
                    name: "admin", region: nil, scopes: Set(TokenScope.allCases))
                _ = try await ChannelStore(client: assertions, logger: TestCluster.quietLogger).add(
                    NotifyChannelRequest(
                        name: "ops", region: RegionCode("16.71"), kinds: nil, minDownSeconds: 3,
                        target: .webhook(url: try #require(URL(string: receiver.url))), secret: "two"))
                let first = try Self.application(url: url, instance: "one")
                let second = try Self.application(url: url, instance: "two")
                try await first.test(.live) { one in
                    try await second.test(.live) { two in
                        let cameras = (0..<20).map { "TWO-CAM-\($0)" }
                        _ = try await one.post(
                            "/v1/inventory", token: token, json: AlertTests.topology(link: "TWO-FO", cameras: 20, prefix: "TWO-CAM"))
                        let now = Date()
                        _ = try await one.post(
                            "/v1/pings", token: token, json: AlertTests.pings(["TWO-FO"] + cameras, at: now.addingTimeInterval(-60), "up"))
                        let cut = now.addingTimeInterval(-1)
                        async let a = one.post(
                            "/v1/pings", token: token, json: AlertTests.pings(["TWO-FO"] + cameras.prefix(10), at: cut, "down"))
                        async let b = two.post(
                            "/v1/pings", token: token, json: AlertTests.pings(Array(cameras.suffix(10)), at: cut, "down"))
                        #expect(try await (a.status, b.status) == (.ok, .ok))
                        let received = try await receiver.waitFor(1, timeout: .seconds(20))
                        try await staysTrue("one message for the outage, across both instances", for: .seconds(4)) {
                            receiver.requests.map { String(decoding: $0.body, as: UTF8.self) }
                        } holds: {
                            $0.count == 1
                        }
                        #expect(received.first?.json["dependents_down"] as? Int == 20)
                        let back = Date()
                        async let c = one.post(
                            "/v1/pings", token: token, json: AlertTests.pings(["TWO-FO"] + cameras.prefix(10), at: back, "up"))
                        async let d = two.post("/v1/pings", token: token, json: AlertTests.pings(Array(cameras.suffix(10)), at: back, "up"))
                        _ = try await (c, d)
                        try await receiver.waitFor(2, timeout: .seconds(20))
                        try await staysTrue("one outage message and one recovery", for: .seconds(3)) {
                            receiver.requests.map { $0.json["type"] as? String ?? "" }
                        } holds: {
                            $0 == ["incident.down", "incident.recovered"]
                        }
                    }
                }
            }
        }
    }

    static func application(url: DatabaseURL, instance: String) throws -> NadiApplication {
        var configuration = ServerConfiguration()
        configuration.port = 0
        AlertTests.fast(&configuration)
        configuration.notifier.instance = instance
        var clientConfiguration = try url.clientConfiguration()
        clientConfiguration.options.maximumConnections = 4
        let client = DatabaseClient(configuration: clientConfiguration, backgroundLogger: TestCluster.quietLogger)
        return try buildApplication(
            configuration: configuration, client: client, registry: PrometheusCollectorRegistry(), logger: TestCluster.quietLogger)
    }
}
