import ArgumentParser
import Foundation
import NadiBench
import NadiCore
import NadiLauncher
import NadiStore
import PostgresNIO

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (not tests): they print their figures.",
        discussion: """
            Both work in scratch databases next to the configured one (nadi_bench_ingest, nadi_bench_reports), \
            dropped and recreated on each run; your own data is not touched. Figures are whole-process: \
            nadid, PostgreSQL and the load generator share the machine's cores.

            Both, as the README runs them:
              swift build -c release && .build/release/nadi bench ingest && .build/release/nadi bench reports
            """,
        subcommands: [BenchIngest.self, BenchReports.self, BenchConsole.self, BenchLoginFlood.self, BenchPictures.self, BenchImport.self])
}

struct BenchReports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Time coverage and uptime over a large synthetic state at two ping volumes (1× and 10×).",
        discussion: """
            Builds, in a scratch database `nadi_bench_reports` next to the configured one (dropped and recreated), \
            --devices devices over every kecamatan of all 514 kabupaten/kota with 30 days of state history, then \
            times `coverage` for all regencies and `uptime --by region` over 30 days (medians), with \
            --pings-per-device raw pings per device and again with ten times as many. Ends with `ratio 10x/1x: N.NN`.
            Whole-process figures: nadi, PostgreSQL and the machine's other load share the cores.
            """)

    @Option(help: "Devices in the synthetic fleet.") var devices = 200_000
    @Option(help: "Raw pings per device at 1× (10× adds nine times as many).") var pingsPerDevice = 10
    @Option(help: "Timed rounds per volume (the median is reported).") var rounds = 5
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard devices >= 1000 else { throw ValidationError("--devices must be at least 1000") }
        guard pingsPerDevice >= 1 else { throw ValidationError("--pings-per-device must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() async throws {
        var settings = ReportBenchmark.Settings()
        settings.devices = devices
        settings.pingsPerDevice = pingsPerDevice
        settings.rounds = rounds
        let settingsCopy = settings
        try await database.withClient { client in
            try await BenchmarkStore(client: client, logger: CLILogger.make()).recreateScratchDatabase(BenchmarkStore.reportsDatabase)
        }
        say("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
        let (small, large) = try await database.withClient(databaseName: BenchmarkStore.reportsDatabase, schema: .migrate) { client in
            _ = try await RegionImporter(client: client, logger: CLILogger.make()).importRows(RegionImporter.builtinRows())
            return try await ReportBenchmark(client: client, settings: settingsCopy, logger: CLILogger.make()) { say($0) }.run()
        }
        let ratio = max(
            large.coverage.milliseconds / max(small.coverage.milliseconds, 1e-6),
            large.uptime.milliseconds / max(small.uptime.milliseconds, 1e-6))
        say(String(format: "ratio 10x/1x: %.2f", ratio))
    }
}

/// Prints a benchmark's line and flushes it at once, so a run whose output goes to a file (or is
/// stopped part-way) shows every figure it has reached.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

extension DatabaseOptions {
    /// A benchmark against the built nadid: recreates the scratch database `name` (dropped first),
    /// prints the machine, migrates it and imports the builtin regions, starts `nadid` (the one next
    /// to this nadi unless named) on it with `arguments`, and runs `body` with a client and its port.
    func withScratchDaemon<T: Sendable>(
        _ name: String, nadid: String?, arguments: [String] = [],
        _ body: @escaping @Sendable (DatabaseClient, Int, Int32) async throws -> T
    ) async throws -> T {
        let daemonPath =
            nadid
            ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("nadid").path
        try await withClient { client in
            try await BenchmarkStore(client: client, logger: CLILogger.make()).recreateScratchDatabase(name)
        }
        say("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
        return try await withDatabase(databaseName: name, schema: .migrate) { client, url in
            _ = try await RegionImporter(client: client, logger: CLILogger.make()).importRows(RegionImporter.builtinRows())
            return try await BenchIngest.withDaemon(path: daemonPath, databaseURL: url, arguments: arguments) { daemon, port in
                try await body(client, port, daemon.pid)
            }
        }
    }
}
