import ArgumentParser
import Foundation
import NadiBench
import NadiStore

struct BenchImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "What the audit trail costs an inventory import: the same import with its triggers on and off.",
        discussion: """
            Creates a scratch database `nadi_bench_import` next to the configured one (dropped and recreated), imports the \
            builtin regions, then for --rounds rounds registers --devices cameras over real kecamatan (what `nadi devices \
            import` and POST /v1/inventory do) and imports them again with every name changed, once with the audit \
            trail's triggers on the device table and once with them off. Prints each round and the medians, and the \
            trail's cost as a ratio (target: under 1.25), then each round's own ratio and their median.

            Example (the README's figures):
              swift build -c release && .build/release/nadi bench import
            """)

    @Option(help: "Devices per import.") var devices = 100_000
    @Option(help: "Rounds (each imports with the trail on and off).") var rounds = 3
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...1_000_000).contains(devices) else { throw ValidationError("--devices must be 1–1000000") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be 1–20") }
    }

    func run() async throws {
        let (devices, rounds) = (self.devices, self.rounds)
        try await database.withClient { client in
            try await BenchmarkStore(client: client, logger: CLILogger.make()).recreateScratchDatabase(BenchmarkStore.importDatabase)
        }
        say("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
        let timings = try await database.withDatabase(databaseName: BenchmarkStore.importDatabase, schema: .migrate) { client, _ in
            _ = try await RegionImporter(client: client, logger: CLILogger.make()).importRows(RegionImporter.builtinRows())
            return try await AuditImportBenchmark(client: client, devices: devices, rounds: rounds, logger: CLILogger.make()) {
                say($0)
            }.run()
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
        let on = timings.filter(\.trail)
        let off = timings.filter { !$0.trail }
        let createOn = median(on.map(\.create.seconds))
        let createOff = median(off.map(\.create.seconds))
        let updateOn = median(on.map(\.update.seconds))
        let updateOff = median(off.map(\.update.seconds))
        say(
            String(
                format: "new devices: %.2f s with the trail, %.2f s without (%.2f×)", createOn, createOff, createOn / max(createOff, 1e-6)))
        say(
            String(
                format: "changed devices: %.2f s with the trail, %.2f s without (%.2f×)", updateOn, updateOff,
                updateOn / max(updateOff, 1e-6)))
        // The machine drifts from round to round more than the trail costs: each round's own pair
        // (with and without, one after the other) says more than medians taken apart.
        let pairs = zip(on, off)
        let createRatios = pairs.map { $0.create.seconds / max($1.create.seconds, 1e-6) }
        let updateRatios = pairs.map { $0.update.seconds / max($1.update.seconds, 1e-6) }
        func listed(_ ratios: [Double]) -> String { ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
        say(
            String(
                format: "round by round (with ÷ without): new devices %@ (median %.2f×), changed %@ (median %.2f×)",
                listed(createRatios), median(createRatios), listed(updateRatios), median(updateRatios)))
    }
}
