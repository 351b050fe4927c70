import ArgumentParser
import Foundation
import NadiBench
import NadiStore

struct BenchLoginFlood: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-flood",
        abstract: "Ping acknowledgement times alone and under a flood of failed console logins.",
        discussion: """
            Creates a scratch database `nadi_bench_login` next to the configured one (dropped and recreated), starts the \
            nadid built next to this nadi on it, registers --devices videotrons and a console user, then sends one ping \
            at a time at --pings-per-second for --seconds, first alone and then while --flood-connections connections post \
            failed logins with made-up names back to back. Prints the pings' p50/p99/max acknowledgement time in each \
            phase and how the logins were answered (401: checked and wrong; 429: refused without a password check).
            The per-address login limit is lifted for the run (--login-attempts-per-address 1000000), so the flood \
            reaches the password checker as one from many addresses would.

            Example (the README's figures):
              swift build -c release && .build/release/nadi bench login-flood
            """)

    @Option(help: "Seconds per phase.") var seconds = 20
    @Option(help: "Pings per second in the steady stream.") var pingsPerSecond = 20
    @Option(help: "Connections posting failed logins in the flood phase.") var floodConnections = 8
    @Option(help: "Devices the pings name.") var devices = 100
    @Option(help: "The nadid executable to start (default: the one next to this nadi).") var nadid: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be 1–600") }
        guard (1...1000).contains(pingsPerSecond) else { throw ValidationError("--pings-per-second must be 1–1000") }
        guard (1...64).contains(floodConnections) else { throw ValidationError("--flood-connections must be 1–64") }
        guard (1...10_000).contains(devices) else { throw ValidationError("--devices must be 1–10000") }
    }

    func run() async throws {
        var settings = LoginFloodBenchmark.Settings()
        settings.seconds = seconds
        settings.pingsPerSecond = pingsPerSecond
        settings.floodConnections = floodConnections
        settings.devices = devices
        let chosen = settings
        let phases = try await database.withScratchDaemon(
            BenchmarkStore.loginDatabase, nadid: nadid, arguments: ["--login-attempts-per-address", "1000000", "--no-poll", "--no-notify"]
        ) { client, port, _ in
            try await LoginFloodBenchmark(client: client, host: "127.0.0.1", port: port, settings: chosen, logger: CLILogger.make()) {
                say($0)
            }.run()
        }
        if let quiet = phases.first, let flood = phases.last {
            say(
                String(
                    format: "ping ack p99: %.1f ms alone, %.1f ms under the flood (%.2f×)", quiet.pings.percentile(99),
                    flood.pings.percentile(99), flood.pings.percentile(99) / max(quiet.pings.percentile(99), 0.001)))
        }
    }
}
