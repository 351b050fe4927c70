import Foundation
import HTTPTypes
import NadiCore
import NadiLauncher
import NadiNotify
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Secrets stay secret")
struct SecretsTests {
    @Test(
        "at trace level, no token, database password, SNMP community, stream password, webhook secret or bot token reaches the log, /metrics or nadi notify"
    )
    func nothingLeaks() async throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-secrets-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: stateDir) }
        let cluster = EmbeddedPostgres(
            stateDirectory: stateDir, installation: try await PostgresInstallation.locate(), durable: false,
            logger: TestCluster.quietLogger)
        _ = try await cluster.start()
        do {
            try await Self.check(cluster: cluster)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    static func check(cluster: EmbeddedPostgres) async throws {
        let canary = UUID().uuidString.prefix(8).lowercased()
        let password = "pw-canary-\(canary)"
        let community = "community-canary-\(canary)"
        let streamPassword = "stream-canary-\(canary)"
        let badToken = "nadi_99_bad-canary-\(canary)"
        var url = cluster.url
        url.password = password
        let port = ChildProcess.freePort()
        let daemon = try ChildProcess(
            product: "nadid", arguments: ["--port", String(port), "--log-level", "trace", "--probe-allow", "127.0.0.0/8"],
            environment: ["NADI_DATABASE_URL": url.connectionString])
        let base = URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
        try await Daemon.waitUntilReady(daemon, port: port)
        let token = try await Daemon.seed(cluster: cluster, devices: 2, base: base)
        let adapters = """
            [{"id":"SECRET-FO","kind":"fiber_link","region":"16","name":"FO","installed":"2025-01-01","interval_s":1,
              "attributes":{"length_km":1,"a_end":"A","z_end":"B","snmp":{"host":"127.0.0.1","port":9,"community":"\(community)","if_index":1}}},
             {"id":"SECRET-CCTV","kind":"cctv","region":"16","name":"CCTV","installed":"2025-01-01","interval_s":1,
              "attributes":{"stream_url":"rtsp://viewer:\(streamPassword)@127.0.0.1:9/live","probe":{"url":"rtsp://viewer:\(streamPassword)@127.0.0.1:9/live","timeout_ms":200}}}]
            """
        #expect(await Daemon.post(base.appendingPathComponent("v1/inventory"), token: token, body: adapters).0 == 200)
        let ping = #"[{"device":"CRASH-0","status":"up"}]"#
        #expect(await Daemon.post(base.appendingPathComponent("v1/pings"), token: token, body: ping).0 == 200)
        #expect(await Daemon.post(base.appendingPathComponent("v1/pings"), token: badToken, body: ping).0 == 401)
        // Alert channels: a webhook and a Telegram bot whose API refuses the token.
        let webhookSecret = "hook-canary-\(canary)"
        let botToken = "4242:bot-canary-\(canary)"
        let cliOutput = try await AlertReceiver.with(answer: { _, request in
            request.path.hasPrefix("/bot")
                ? .status(.unauthorized, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#) : .status(.ok)
        }) { receiver in
            try await TestClient.with(cluster.url) { client in
                let channels = ChannelStore(client: client, logger: TestCluster.quietLogger)
                _ = try await channels.add(
                    NotifyChannelRequest(
                        name: "hook", region: nil, kinds: nil, minDownSeconds: 0,
                        target: .webhook(url: try #require(URL(string: receiver.url))),
                        secret: webhookSecret))
                _ = try await channels.add(
                    NotifyChannelRequest(
                        name: "bot", region: nil, kinds: nil, minDownSeconds: 0,
                        target: .telegram(chat: "-100123", api: try #require(URL(string: receiver.url))), secret: botToken))
            }
            let down = #"[{"device":"CRASH-0","status":"down","reason":"no signal"}]"#
            #expect(await Daemon.post(base.appendingPathComponent("v1/pings"), token: token, body: down).0 == 200)
            try await receiver.waitFor(2)
            var printed = ""
            for command in [
                ["notify", "list"], ["notify", "list", "--format", "json"], ["notify", "log"], ["notify", "log", "--format", "csv"],
            ] {
                let (status, output) = try await NadiCLI.run(command, on: cluster.url)
                #expect(status == 0, "\(command): \(output)")
                printed += output
            }
            #expect(printed.contains("hook") && printed.contains("bot"))
            return printed
        }
        try await Task.sleep(for: .seconds(2))  // let the poller try both adapter devices
        let (metricsData, _) = try await URLSession.shared.data(from: base.appendingPathComponent("metrics"))
        let metrics = String(decoding: metricsData, as: UTF8.self)
        #expect(metrics.contains("nadi_alert_deliveries_total"), "delivery metrics are exported")
        daemon.send(SIGTERM)
        #expect(await daemon.wait(timeout: .seconds(30)) == 0)
        let log = daemon.output
        #expect(log.contains("trace") || log.contains("debug"), "the log really was verbose")
        let secret = String(token.split(separator: "_").last ?? "")
        for (name, value) in [
            ("token", token), ("token secret", secret), ("rejected token", badToken), ("database password", password),
            ("SNMP community", community), ("stream password", streamPassword), ("webhook secret", webhookSecret), ("bot token", botToken),
        ] {
            #expect(!log.contains(value), "the \(name) is in the log")
            #expect(!metrics.contains(value), "the \(name) is in /metrics")
            #expect(!cliOutput.contains(value), "the \(name) is in nadi notify list/log")
        }
    }
}
