import ArgumentParser
import Foundation
import NadiBench
import NadiCore
import NadiLauncher
import NadiStore

struct BenchPictures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pictures",
        abstract: "What camera picture checks cost: samples per minute, CPU per sample, and ingest acknowledgement meanwhile.",
        discussion: """
            Creates a scratch database `nadi_bench_pictures` next to the configured one (dropped and recreated), starts \
            GStreamer's RTSP test server (Tests/NadiServerTests/Fixtures/rtsp_server.py; Deploy/setup.sh --test-peers \
            installs it) unless --stream names a stream, and the nadid built next to this nadi with --probe-allow \
            127.0.0.0/8 and --image-checks-at-once. Sends one ping at a time at --pings-per-second for --seconds with no \
            camera, then registers --cameras cameras on the stream (image_check every --every seconds, --sample seconds \
            each) and does the same while nadid samples them. Prints each phase's ping acknowledgement p50/p99/max, nadid's \
            CPU, the samples taken per minute and FFmpeg's CPU seconds per sample.

            Example (the README's figures):
              swift build -c release && .build/release/nadi bench pictures
            """)

    @Option(help: "Cameras to check.") var cameras = 200
    @Option(help: "Seconds per phase.") var seconds = 60
    @Option(help: "Pings per second in the steady stream.") var pingsPerSecond = 20
    @Option(help: "Picture samples at once (nadid --image-checks-at-once).") var atOnce = 2
    @Option(help: "Seconds between samples of one camera (image_check.every_s).") var every = 60
    @Option(help: "Seconds per sample (image_check.sample_s).") var sample = 5
    @Option(help: "The stream every camera names (default: the test server's moving ball).") var stream: String?
    @Option(help: "The nadid executable to start (default: the one next to this nadi).") var nadid: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...5000).contains(cameras) else { throw ValidationError("--cameras must be 1–5000") }
        guard (5...3600).contains(seconds) else { throw ValidationError("--seconds must be 5–3600") }
        guard (1...1000).contains(pingsPerSecond) else { throw ValidationError("--pings-per-second must be 1–1000") }
        guard (1...32).contains(atOnce) else { throw ValidationError("--at-once must be 1–32") }
        let check = JSONValue.object(["every_s": .number(Double(every)), "sample_s": .number(Double(sample))])
        if let problem = ImageCheckSettings.problem(check) {
            throw ValidationError(problem.replacingOccurrences(of: "attributes.image_check.", with: "image_check."))
        }
    }

    func run() async throws {
        let server: SpawnedProcess?
        let url: String
        if let stream {
            server = nil
            url = stream
        } else {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Tests/NadiServerTests/Fixtures/rtsp_server.py"
            ).standardizedFileURL
            guard FileManager.default.fileExists(atPath: script.path) else {
                throw CLIError("the RTSP test server \(script.path) is not here; name a stream with --stream rtsp://…")
            }
            let port = LocalPort.free()
            let started = try SpawnedProcess(executable: "/usr/bin/python3", arguments: [script.path, String(port)])
            for _ in 0..<100 where !started.output.contains("ready") { try await Task.sleep(for: .milliseconds(100)) }
            guard started.output.contains("ready") else {
                started.terminate()
                throw CLIError(
                    "the RTSP test server did not start (Deploy/setup.sh --test-peers installs GStreamer): \(started.output.suffix(500))")
            }
            server = started
            url = "rtsp://127.0.0.1:\(port)/ball"
        }
        defer { server?.terminate() }
        var settings = PictureCheckBenchmark.Settings()
        settings.cameras = cameras
        settings.seconds = seconds
        settings.pingsPerSecond = pingsPerSecond
        settings.everySeconds = every
        settings.sampleSeconds = sample
        settings.stream = url
        let chosen = settings
        say(
            "workload: \(cameras) cameras, \(atOnce) samples at once, \(sample) s every \(every) s; \(pingsPerSecond) pings/s for \(seconds) s per phase"
        )
        let phases = try await database.withScratchDaemon(
            BenchmarkStore.picturesDatabase, nadid: nadid,
            arguments: ["--probe-allow", "127.0.0.0/8", "--image-checks-at-once", String(atOnce), "--no-notify"]
        ) { client, port, pid in
            try await PictureCheckBenchmark(
                client: client, host: "127.0.0.1", port: port, daemonPID: pid, settings: chosen, logger: CLILogger.make()
            ) { say($0) }.run()
        }
        if let quiet = phases.first, let busy = phases.last {
            say(
                String(
                    format: "ping ack p99: %.1f ms without picture checks, %.1f ms while sampling (%.2f×)", quiet.pings.percentile(99),
                    busy.pings.percentile(99), busy.pings.percentile(99) / max(quiet.pings.percentile(99), 0.001)))
        }
    }
}
