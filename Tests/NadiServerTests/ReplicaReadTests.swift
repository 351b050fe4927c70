import Foundation
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// Reports from a hot standby (DESIGN "Scale beyond one machine"): every read-only `nadi` command
/// works against a streaming replica and answers what it answers on the primary; a command that
/// must write says the database is a standby and where to go instead.
@Suite("Reports from a hot standby", .serialized)
struct ReplicaReadTests {
    static let reads: [[String]] = [
        ["coverage", "--format", "json"], ["coverage", "--region", "16", "--format", "json"],
        ["uptime", "--by", "region", "--from", "PAST", "--to", "PAST", "--format", "json"],
        ["uptime", "--from", "PAST", "--to", "PAST", "--format", "json"], ["devices", "list", "--format", "json"],
        ["export", "school-cctv", "--region", "16.71"], ["targets", "list"], ["incidents"], ["token", "list"],
        ["maintenance", "list"], ["notify", "list"], ["user", "list"],
        ["coverage", "--trajectory", "--region", "16.71", "--format", "json"],
    ]

    @Test("every read-only command on a hot standby answers what it answers on the primary; write commands say it is a standby")
    func reportsFromStandby() async throws {
        try await ReplicatedClusters.with { clusters in
            let primary = try await clusters.setUpPrimary("primary")
            let primaryURL = NadiCLI.databaseText(primary.url)
            // A day of history two days ago, through the built nadid.
            let token = try await TestClient.with(primary.url) { client in
                try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                    name: "replica", region: nil, scopes: [.ingest, .inventory, .read]
                ).1
            }
            let daemon = try await LiveDaemon.start(on: primary.url, token: token)
            let day = Date().addingTimeInterval(-2 * 86_400)
            let pastDay = Timestamp.format(day).prefix(10)
            let morning = Date(timeIntervalSince1970: (day.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 3600)
            let inventory = await daemon.post("v1/inventory", Fixtures.devices)
            #expect(inventory.status == 200, "\(inventory.body)")
            var pings: [String] = []
            for minute in stride(from: 0, to: 600, by: 1) {
                let at = morning.addingTimeInterval(TimeInterval(minute * 60))
                pings.append(Fixtures.ping("PLG-CCTV-1", at, minute % 97 < 90 ? "up" : "down"))
                if minute < 300 { pings.append(Fixtures.ping("OKU-VT-1", at, "up")) }
            }
            let sent = await daemon.post("v1/pings", "[\(pings.joined(separator: ","))]")
            #expect(sent.status == 200, "\(sent.body)")
            await daemon.stop()

            let standby = try await clusters.standby("standby", of: primary)
            let standbyURL = NadiCLI.databaseText(standby.url)
            try await Self.waitForReplay(primary: primary.url, standby: standby.url)

            for command in Self.reads {
                let arguments = command.map { $0 == "PAST" ? String(pastDay) : $0 }
                let onPrimary = try await NadiCLI.run(arguments, url: primaryURL)
                let onStandby = try await NadiCLI.run(arguments, url: standbyURL)
                #expect(onPrimary.status == 0, "\(arguments) on the primary: \(onPrimary.output)")
                #expect(onStandby.status == 0, "\(arguments) on the standby: \(onStandby.output)")
                #expect(onStandby.output == onPrimary.output, "\(arguments): the standby answered differently")
            }
            let writes: [[String]] = [
                ["migrate"], ["token", "create", "--name", "x", "--scope", "read"],
                [
                    "maintenance", "add", "--device", "PLG-CCTV-1", "--from", "2030-01-01T00:00", "--to", "2030-01-01T01:00", "--reason",
                    "x",
                ],
                ["regions", "import", "--builtin"],
            ]
            for command in writes {
                let refused = try await NadiCLI.run(command, url: standbyURL)
                #expect(refused.status == 1, "\(command): \(refused.output)")
                #expect(
                    refused.output.contains("read-only standby") && refused.output.contains("at the primary"),
                    "\(command): \(refused.output)")
            }
        }
    }

    /// Waits until the standby has replayed everything the primary has written.
    static func waitForReplay(primary: DatabaseURL, standby: DatabaseURL) async throws {
        var target = ""
        try await TestClient.with(primary) { client in
            for try await lsn in try await client.query("SELECT pg_current_wal_lsn()::text").decode(String.self) { target = lsn }
        }
        _ = try await TestClient.with(standby) { client in
            try await eventually("the standby replays up to \(target)", timeout: .seconds(20)) {
                try await TestClient.scalar(client, "SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn", as: Bool.self) ?? false
            } until: {
                $0
            }
        }
    }
}
