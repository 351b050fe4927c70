import Foundation
package import Logging
import NIOCore
import NadiCore
package import NadiStore

/// `nadi bench pictures`: what checking camera pictures costs. A steady stream of pings is timed
/// from send to acknowledgement, first with no camera to check, then while one nadid samples
/// `cameras` cameras (all on one local RTSP stream) as fast as its `--image-checks-at-once` allows.
/// Reports samples per minute, the CPU seconds FFmpeg used per sample (the nadid's reaped children,
/// from /proc), nadid's own CPU, and the ping acknowledgement p99 with and without.
package struct PictureCheckBenchmark: Sendable {
    package struct Settings: Sendable {
        package var cameras = 200
        package var seconds = 60
        package var pingsPerSecond = 20
        package var everySeconds = 60
        package var sampleSeconds = 5
        package var stream = ""
        package init() {}
    }

    /// One phase's figures.
    package struct Phase: Sendable {
        package var name: String
        package var pings: LatencySample
        package var failedPings: Int
        package var samples: Int
        package var childCPUSeconds: Double
        package var daemonCPUSeconds: Double
        package var seconds: Double
    }

    let client: DatabaseClient
    let host: String
    let port: Int
    let daemonPID: Int32
    let settings: Settings
    let logger: Logger
    let say: @Sendable (String) -> Void

    package init(
        client: DatabaseClient, host: String, port: Int, daemonPID: Int32, settings: Settings, logger: Logger,
        say: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.host = host
        self.port = port
        self.daemonPID = daemonPID
        self.settings = settings
        self.logger = logger
        self.say = say
    }

    /// The phase without cameras, then the phase with them.
    package func run() async throws -> [Phase] {
        let (_, token) = try await TokenStore(client: client, logger: logger).create(
            name: "bench-pictures", region: nil, scopes: [.ingest, .inventory])
        let devices = (0..<100).map { "PIC-VT-\($0)" }
        try await post(
            devices.map {
                #"{"id":"\#($0)","kind":"videotron","region":"16.71.01","name":"\#($0)","installed":"2024-01-01","attributes":{"size_m2":12}}"#
            }, token: token)
        let quiet = try await measure(name: "without picture checks", token: token, devices: devices)
        say(Self.describe(quiet))
        let check = #"{"every_s":\#(settings.everySeconds),"sample_s":\#(settings.sampleSeconds)}"#
        try await post(
            (0..<settings.cameras).map {
                #"{"id":"PIC-CAM-\#($0)","kind":"cctv","region":"16.71.01","name":"Kamera \#($0)","installed":"2024-01-01","interval_s":\#(settings.everySeconds),"attributes":{"stream_url":"\#(settings.stream)","image_check":\#(check)}}"#
            }, token: token)
        say("\(settings.cameras) cameras registered; waiting for the poller to start sampling")
        let deadline = ContinuousClock.now + .seconds(120)
        while try await BenchmarkStore(client: client, logger: logger).pictureSamples(since: .distantPast) == 0 {
            guard ContinuousClock.now < deadline else { throw BenchError("no picture sample within 120 s: is ffmpeg installed?") }
            try await Task.sleep(for: .seconds(1))
        }
        let busy = try await measure(name: "while sampling \(settings.cameras) cameras", token: token, devices: devices)
        say(Self.describe(busy))
        return [quiet, busy]
    }

    /// A line per phase.
    package static func describe(_ phase: Phase) -> String {
        var line = String(
            format: "%@: %d pings acknowledged, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed; nadid CPU %.1f s", phase.name,
            phase.pings.count, phase.pings.percentile(50), phase.pings.percentile(99), phase.pings.percentile(100), phase.failedPings,
            phase.daemonCPUSeconds)
        if phase.samples > 0 {
            line += String(
                format: "; %d picture samples (%.1f per minute), FFmpeg CPU %.2f s per sample", phase.samples,
                Double(phase.samples) / phase.seconds * 60, phase.childCPUSeconds / Double(phase.samples))
        }
        return line
    }

    private func post(_ records: [String], token: String) async throws {
        try await HTTPConnection.with(host: host, port: port) { http in
            let answer = try await http.post(
                "/v1/inventory", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")],
                body: ByteBuffer(string: "[" + records.joined(separator: ",") + "]"))
            guard answer.status == 200 else { throw BenchError("inventory answered HTTP \(answer.status): \(answer.text)") }
        }
    }

    func measure(name: String, token: String, devices: [String]) async throws -> Phase {
        let started = Date()
        let before = Self.cpu(of: daemonPID)
        let clock = ContinuousClock.now
        var phase = Phase(
            name: name, pings: LatencySample(), failedPings: 0, samples: 0, childCPUSeconds: 0, daemonCPUSeconds: 0, seconds: 0)
        let (latencies, failed) = try await SteadyPings.send(
            host: host, port: port, token: token, devices: devices, perSecond: settings.pingsPerSecond,
            until: clock + .seconds(settings.seconds))
        phase.pings = latencies
        phase.failedPings = failed
        let after = Self.cpu(of: daemonPID)
        phase.seconds = (ContinuousClock.now - clock).seconds
        phase.samples = try await BenchmarkStore(client: client, logger: logger).pictureSamples(since: started)
        phase.childCPUSeconds = after.children - before.children
        phase.daemonCPUSeconds = after.own - before.own
        return phase
    }

    /// CPU seconds of a process (user + system) and of its reaped children, from /proc/PID/stat.
    static func cpu(of pid: Int32) -> (own: Double, children: Double) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return (0, 0) }
        // Fields after the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let utime = Double(fields[11]), let stime = Double(fields[12]), let cutime = Double(fields[13]),
            let cstime = Double(fields[14])
        else { return (0, 0) }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((utime + stime) / ticks, (cutime + cstime) / ticks)
    }
}
