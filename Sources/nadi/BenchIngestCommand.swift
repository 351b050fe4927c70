import ArgumentParser
import Foundation
import Logging
import NadiBench
import NadiLauncher
import NadiStore
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure nadid's ingest rate over HTTP against PostgreSQL's own COPY of the same rows.",
        discussion: """
            Creates a scratch database `nadi_bench_ingest` on the configured server (the embedded cluster under \
            --state-dir by default; dropped and recreated), imports the builtin regions, starts the nadid built next \
            to this nadi on it (or uses the one at --url, which must serve that database), registers --devices \
            devices of all four kinds over real kecamatan through POST /v1/inventory, then for each of --rounds \
            rounds sends --pings pings as NDJSON (or, with --body json, JSON-array) batches of --batch over --connections keep-alive connections, and \
            COPYs the very same rows into a table indexed like `ping`. A last round runs at half the median rate, \
            open loop, for the latency target.

            Prints pings/s (median of the rounds), acknowledgement latency p50/p99, rejected (must be 0), \
            acknowledged vs stored, nadid's peak resident memory, COPY's rows/s, and last \
            `ratio nadid/COPY: 0.NN`. Exits 1 if a ping was rejected or an acknowledged ping is missing.

            Example (the README's figures):
              swift build -c release && .build/release/nadi bench ingest
              .build/release/nadi bench ingest --devices 1000 --pings 20000 --rounds 1     # a quick look
              .build/release/nadi bench ingest --body json                                 # JSON arrays instead of NDJSON
              .build/release/nadi bench ingest --late-percent 1                            # 1 % late pings (re-cuts)
              .build/release/nadi bench ingest --change-every 500                          # a typical fleet's state changes
            """)

    @Option(help: "Devices in the fleet.") var devices = 100_000
    @Option(help: "Pings per round (spread evenly over the devices).") var pings = 1_000_000
    @Option(help: "Pings per HTTP request.") var batch = 1000
    @Option(help: "Concurrent keep-alive connections (agents).") var connections = 8
    @Option(help: "Timed rounds (the median is reported), each followed by a COPY of the same rows.") var rounds = 3
    @Option(help: "Request bodies: ndjson (application/x-ndjson) or json (application/json, an array).")
    var body: IngestBenchmark.BodyFormat = .ndjson
    @Option(help: "Percent of each round's pings sent late, after a newer ping of the same device (re-cuts); 0 for none.")
    var latePercent: Double = 0
    @Option(help: "A device's status changes every N of its pings: 30 is a stress case, a real fleet changes every 500 or more.")
    var changeEvery = 30
    @Option(help: "Base URL of a running nadid that uses the scratch database (default: start one).") var url: String?
    @Option(help: "The nadid executable to start (default: the one next to this nadi).") var nadid: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1") }
        guard pings >= devices else { throw ValidationError("--pings must be at least --devices (every device pings each round)") }
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1–100000") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1–256") }
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds must be 1–50") }
        guard (0...50).contains(latePercent) else { throw ValidationError("--late-percent must be 0–50") }
        guard (1...1_000_000).contains(changeEvery) else { throw ValidationError("--change-every must be 1–1000000") }
        if let url {
            guard let parsed = URL(string: url), parsed.scheme == "http", parsed.host != nil else {
                throw ValidationError("--url must look like http://127.0.0.1:8080")
            }
        }
    }

    func run() async throws {
        var settings = IngestBenchmark.Settings()
        settings.devices = devices
        settings.pings = pings
        settings.batch = batch
        settings.connections = connections
        settings.rounds = rounds
        settings.body = body
        settings.latePercent = latePercent
        settings.changeEvery = changeEvery
        let chosen = settings
        let daemonPath = try nadidPath()
        let remote = url.flatMap(URL.init(string:))
        try await database.withClient { client in
            try await BenchmarkStore(client: client, logger: CLILogger.make()).recreateScratchDatabase(BenchmarkStore.ingestDatabase)
        }
        let result = try await database.withDatabase(databaseName: BenchmarkStore.ingestDatabase, schema: .migrate) { client, databaseURL in
            let logger = CLILogger.make()
            _ = try await RegionImporter(client: client, logger: logger).importRows(RegionImporter.builtinRows())
            let version = try await client.query("SHOW server_version").collect().first?.decode(String.self) ?? "?"
            say(
                "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; PostgreSQL \(version), database \(databaseURL.description)"
            )
            if let remote {
                let benchmark = IngestBenchmark(
                    client: client, host: remote.host ?? "127.0.0.1", port: remote.port ?? 80, settings: chosen, logger: logger,
                    peakResidentBytes: { nil }, say: { say($0) })
                return try await benchmark.run()
            }
            return try await Self.withDaemon(path: daemonPath, databaseURL: databaseURL) { daemon, port in
                let benchmark = IngestBenchmark(
                    client: client, host: "127.0.0.1", port: port, settings: chosen, logger: logger,
                    peakResidentBytes: { daemon.peakResidentBytes }, say: { say($0) })
                return try await benchmark.run()
            }
        }
        report(result)
        if result.rejected > 0 || result.stored != result.acknowledged { throw ExitCode(1) }
    }

    private func report(_ result: IngestBenchmark.Result) {
        say(
            String(
                format:
                    "nadid: %.0f pings/s sustained (median of %d rounds, %d-ping batches over %d connections); ack p50 %.1f ms, p99 %.1f ms",
                result.nadidPerSecond, rounds, batch, connections, result.p50, result.p99))
        say(
            String(
                format: "at half rate (%.0f pings/s): ack p50 %.1f ms, p99 %.1f ms", result.halfRate, result.halfRateP50, result.halfRateP99
            ))
        say(
            "acknowledged \(result.acknowledged), stored \(result.stored), rejected \(result.rejected), duplicates \(result.duplicates), retried after 503: \(result.retries)"
        )
        if let bytes = result.peakResidentBytes {
            say(String(format: "nadid peak RSS: %.1f MB", Double(bytes) / 1_048_576))
        } else {
            say("nadid peak RSS: not measured (nadid was not started by the benchmark)")
        }
        say(String(format: "COPY: %.0f rows/s (median of %d rounds; same rows, table indexed like ping)", result.copyPerSecond, rounds))
        if result.rejected > 0 { say("FAILED: \(result.rejected) pings were rejected") }
        if result.stored != result.acknowledged {
            say("FAILED: \(result.acknowledged) pings acknowledged but \(result.stored) stored")
        }
        say(String(format: "ratio nadid/COPY: %.2f", result.ratio))
    }

    private func nadidPath() throws -> String {
        if let nadid { return nadid }
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = own.deletingLastPathComponent().appendingPathComponent("nadid").path
        guard url != nil || FileManager.default.isExecutableFile(atPath: sibling) else {
            throw CLIError("no nadid next to this nadi (\(sibling)); build it (swift build -c release) or pass --nadid PATH or --url")
        }
        return sibling
    }

    /// Starts nadid on `databaseURL` (handed over in its environment, not on its command line), waits
    /// until it is ready, runs `body`, and stops it with SIGTERM.
    static func withDaemon<T: Sendable>(
        path: String, databaseURL: DatabaseURL, arguments: [String] = [], _ body: (SpawnedProcess, Int) async throws -> T
    ) async throws -> T {
        let port = LocalPort.free()
        let daemon = try SpawnedProcess(
            // The benchmarks' cameras do not exist: nothing is polled, their pictures are not sampled
            // (but by `bench pictures`). Polled, their RTSP probes stored pings of their own, and
            // `acknowledged = stored` failed by the probes' count.
            executable: path,
            arguments: ["--port", String(port), "--log-level", "warning"]
                + (arguments.contains("--image-checks-at-once") ? [] : ["--no-image-checks", "--no-poll"]) + arguments,
            environment: ["NADI_DATABASE_URL": databaseURL.connectionString])
        defer { unlink(daemon.logPath) }
        do {
            try await waitUntilReady(port: port, daemon: daemon)
            let result = try await body(daemon, port)
            daemon.send(SIGTERM)
            _ = await daemon.wait(timeout: .seconds(60))
            return result
        } catch {
            daemon.send(SIGTERM)
            if await daemon.wait(timeout: .seconds(30)) == nil { daemon.send(SIGKILL) }
            FileHandle.standardError.write(Data("nadid's output:\n\(daemon.output.suffix(3000))\n".utf8))
            throw error
        }
    }

    private static func waitUntilReady(port: Int, daemon: SpawnedProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let status = await daemon.wait(timeout: .zero) {
                throw CLIError("nadid exited with status \(status) before it was ready")
            }
            let ready = try? await HTTPConnection.with(host: "127.0.0.1", port: port) { http in
                try await http.get("/readyz").status == 200
            }
            if ready == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIError("nadid did not become ready within 60 s")
    }
}

extension IngestBenchmark.BodyFormat: ExpressibleByArgument {}
