import Foundation
import Hummingbird
package import Logging
import NadiCore
package import NadiServer
package import NadiStore
import PostgresNIO
package import Prometheus
import ServiceLifecycle

/// `nadid --demo`: the daemon, a demo city, its token, and the ping simulator.
package func buildDemoApplication(
    configuration: ServerConfiguration, client: DatabaseClient, registry: PrometheusCollectorRegistry, stateDirectory: String,
    logger: Logger
) throws -> NadiApplication {
    let telegram = DemoTelegram(zone: configuration.timeZone)
    var app = try buildApplication(
        configuration: configuration, client: client, registry: registry, logger: logger, extraRoutes: telegram.addRoutes)
    let runner = DemoRunner()
    let host = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
    let base = "http://\(host):\(configuration.port)"
    app.beforeServerStarts {
        // The demo city's inventory, channel, token and user are recorded in the audit trail as its own.
        try await AuditActor.$current.withValue(AuditActor(actor: "system:demo")) {
            let (devices, created) = try await DemoCity(client: client, logger: logger).load()
            try await DemoTelegram.addChannel(base: base, client: client, logger: logger)
            let token = try await demoToken(client: client, stateDirectory: stateDirectory, logger: logger)
            let consolePassword = try await demoConsoleUser(client: client, stateDirectory: stateDirectory, logger: logger)
            let baseURL = URL(string: base) ?? URL(fileURLWithPath: "/")
            let snmp = ProcessInfo.processInfo.environment["NADI_DEMO_SNMP"]
            let adapters = DemoAdapters(baseURL: baseURL, token: token, snmp: snmp, logger: logger)
            let simulator = DemoSimulator(
                baseURL: baseURL, token: token, devices: devices, backfill: created, adapters: adapters, logger: logger)
            runner.start(simulator)
            print(
                """

                ── Nadi demo ─────────────────────────────────────────────────────────────
                nadid listens on \(base) (embedded PostgreSQL under \(stateDirectory))
                Demo city: Kota Palembang (16.71): \(devices.count) devices, 773 real schools, masterplan targets.
                Simulated pings are flowing \(created ? "(six hours of history first)" : "").
                Adapters: PLG-ATT-ZK1 speaks ZKTeco PUSH to /iclock (serial \(DemoAdapters.serial)); PLG-VT-PROBE is
                probed over HTTP\(snmp == nil ? "" : "; PLG-FO-SNMP is polled over SNMP from a local snmpd") (see them after ~30 s).

                Demo token (read, ingest, inventory; also saved in \(stateDirectory)/demo-token):
                  export NADI_TOKEN=\(token)

                Console (Bahasa Indonesia; English one click away): open \(base)/ and log in as
                  demo / \(consolePassword)      (operator of Kota Palembang; also saved in \(stateDirectory)/demo-console)
                Public school pages (what a parent sees): \(base)/sekolah?q=SMA

                Try next:
                  curl -s \(base)/healthz
                  curl -s -H "Authorization: Bearer $NADI_TOKEN" \(base)/v1/devices/PLG-FO-1
                  curl -s -H "Authorization: Bearer $NADI_TOKEN" \(base)/v1/devices/PLG-ATT-ZK1
                  curl -s "\(base)/iclock/cdata?SN=\(DemoAdapters.serial)&options=all"     # what a ZKTeco device is told
                  curl -s -H "Authorization: Bearer $NADI_TOKEN" -H 'Content-Type: application/json' \\
                       -d '[{"device":"PLG-FO-1","status":"degraded","latency_ms":40}]' \(base)/v1/pings
                  curl -s \(base)/metrics | grep nadi_
                  swift run nadi devices list --silent --state-dir \(stateDirectory)
                Topology: cameras and videotrons hang off the fiber ring PLG-FO-1…8. PLG-FO-2 is cut for minutes 10–19 of
                every half hour, and everything behind it goes dark: one incident, not dozens.
                  swift run nadi incidents --state-dir \(stateDirectory)
                  swift run nadi uptime --by region --since 1d --state-dir \(stateDirectory)
                  swift run nadi maintenance list --state-dir \(stateDirectory)     # tonight's planned work on PLG-FO-5
                Pictures: two school cameras show a frozen and a black picture (the console's Sekolah page and
                \(base)/sekolah say so); the audit trail records who changed what:
                  swift run nadi audit --state-dir \(stateDirectory) | head
                Alerts: the channel demo-telegram sends what an ops Telegram group would get (one message per incident,
                4 minutes after the cut, and a recovery) to a stand-in Bot API inside this nadid:
                  curl -s \(base)/demo/telegram
                  swift run nadi notify log --state-dir \(stateDirectory)
                Stop with Ctrl-C (the embedded PostgreSQL stops with it).
                ──────────────────────────────────────────────────────────────────────────

                """)
            fflush(nil)  // the banner must show even when stdout is a file
        }
    }
    app.addServices(runner)
    return app
}

/// The demo's console user `demo` (operator of 16.71): its password is saved in the state
/// directory and reused on the next start.
package func demoConsoleUser(client: DatabaseClient, stateDirectory: String, logger: Logger) async throws -> String {
    let file = URL(fileURLWithPath: stateDirectory).appendingPathComponent("demo-console")
    let users = ConsoleUserStore(client: client, logger: logger)
    if let saved = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !saved.isEmpty,
        try await users.list().contains(where: { $0.name == "demo" })
    {
        // A file saved by an older nadid may be world-readable: it holds a password.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return saved
    }
    let password = "palembang-" + String(ConsoleSessionStore.randomToken().filter(\.isLetter).prefix(8)).lowercased()
    if try await users.list().contains(where: { $0.name == "demo" }) {
        _ = try await users.setPassword(name: "demo", password: password)
    } else {
        _ = try await users.create(name: "demo", region: RegionCode("16.71"), role: .operator, password: password)
    }
    try writeSecret(password, to: file)
    return password
}

/// Reuses the demo token saved in the state directory, or creates one.
package func demoToken(client: DatabaseClient, stateDirectory: String, logger: Logger) async throws -> String {
    let file = URL(fileURLWithPath: stateDirectory).appendingPathComponent("demo-token")
    let store = TokenStore(client: client, logger: logger)
    if let saved = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
        try await store.verify(saved) != nil
    {
        return saved
    }
    let (_, secret) = try await store.create(
        name: "demo-\(Int(Date().timeIntervalSince1970))", region: RegionCode("16"), scopes: [.read, .ingest, .inventory])
    try writeSecret(secret, to: file)
    return secret
}

/// Writes a secret readable by its owner only (0600), replacing what was there.
func writeSecret(_ secret: String, to file: URL) throws {
    try? FileManager.default.removeItem(at: file)
    guard FileManager.default.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
    }
}
