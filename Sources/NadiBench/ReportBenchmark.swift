import Foundation
package import Logging
import NadiCore
package import NadiStore
import PostgresNIO

/// `nadi bench reports`: a large synthetic state (devices over every kabupaten/kota, 30 days of state
/// history), then the time of `coverage` for all regencies and `uptime --by region` over 30 days, at
/// two ping volumes an order of magnitude apart. The reports read state, not raw pings, so their time
/// must not grow with the ping volume.
package struct ReportBenchmark: Sendable {
    package struct Settings: Sendable {
        package var devices = 200_000
        package var pingsPerDevice = 10
        package var rounds = 5

        package init() {}
    }

    /// Medians of one ping volume.
    package struct Timing: Sendable {
        package var pings: Int
        package var coverage: Duration
        package var uptime: Duration
    }

    let client: DatabaseClient
    let logger: Logger
    let settings: Settings
    let say: @Sendable (String) -> Void

    package init(client: DatabaseClient, settings: Settings, logger: Logger, say: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.settings = settings
        self.logger = logger
        self.say = say
    }

    /// Builds the state and measures both volumes; returns (1×, 10×).
    package func run() async throws -> (Timing, Timing) {
        let started = ContinuousClock.now
        try await generateFleet()
        say("fleet: \(settings.devices) devices over 514 kabupaten/kota, 30 days of state history (\(Self.elapsed(since: started)))")
        let now = Date()
        try await addPings(count: settings.devices * settings.pingsPerDevice, seed: 0, now: now)
        let small = try await measure(pings: settings.devices * settings.pingsPerDevice, now: now)
        say(line(small))
        try await addPings(count: settings.devices * settings.pingsPerDevice * 9, seed: 1, now: now)
        let large = try await measure(pings: settings.devices * settings.pingsPerDevice * 10, now: now)
        say(line(large))
        // The same uptime report once devices have upstreams and links have maintenance windows:
        // down time split by cause.
        let (links, windows) = try await BenchmarkStore(client: client, logger: logger).addReportTopology(now: now)
        let topology = try await measure(pings: settings.devices * settings.pingsPerDevice * 10, now: now)
        say(
            "with topology (\(links) upstream links, \(windows) maintenance windows): uptime --by region 30d with causes \(Self.ms(topology.uptime)) ms (median of \(settings.rounds))"
        )
        // The bench fleet's links and windows above overlap no down time (fiber links are never
        // down in it, and the windows are on them), so nothing needs splitting; now some does.
        let (downLinks, cameraWindows) = try await BenchmarkStore(client: client, logger: logger).addReportOutages(now: now)
        let outages = try await measure(pings: settings.devices * settings.pingsPerDevice * 10, now: now)
        let split = try await UptimeQuery(client: client, logger: logger).splitDeviceCount(
            window: now.addingTimeInterval(-30 * 86_400)..<now, timeZone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt, now: now)
        say(
            "with outages to split (\(downLinks) fiber links down with the devices behind them, \(cameraWindows) windows on cameras that are down): uptime --by region 30d with causes \(Self.ms(outages.uptime)) ms (median of \(settings.rounds)); \(split) devices' down time split by cause"
        )
        return (small, large)
    }

    func line(_ timing: Timing) -> String {
        "pings \(timing.pings): coverage (all regencies) \(Self.ms(timing.coverage)) ms, uptime --by region 30d \(Self.ms(timing.uptime)) ms (medians of \(settings.rounds))"
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", duration.milliseconds)
    }

    private func generateFleet() async throws {
        try await BenchmarkStore(client: client, logger: logger).generateReportFleet(count: settings.devices)
    }

    private func addPings(count: Int, seed: Int, now: Date) async throws {
        let started = ContinuousClock.now
        try await BenchmarkStore(client: client, logger: logger).addSyntheticPings(
            count: count, devices: settings.devices, seed: seed, now: now)
        say("pings: +\(count) (\(Self.elapsed(since: started)))")
    }

    private func measure(pings: Int, now: Date) async throws -> Timing {
        let coverage = CoverageQuery(client: client, logger: logger)
        let uptime = UptimeQuery(client: client, logger: logger)
        let zone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        var coverageTimes: [Duration] = []
        var uptimeTimes: [Duration] = []
        for _ in 0..<settings.rounds {
            let clock = ContinuousClock()
            coverageTimes.append(
                try await clock.measure {
                    let report = try await coverage.report(
                        scope: ReportScope(region: nil, depth: .regency), at: ReportInstant(asOf: nil, timeZone: zone))
                    guard !report.rows.isEmpty else { throw BenchError("coverage returned no rows") }
                })
            uptimeTimes.append(
                try await clock.measure {
                    let rows = try await uptime.byRegion(
                        region: nil, depth: .regency, kind: nil, window: now.addingTimeInterval(-30 * 86_400)..<now, timeZone: zone)
                    guard !rows.isEmpty else { throw BenchError("uptime returned no rows") }
                })
        }
        return Timing(pings: pings, coverage: Self.median(coverageTimes), uptime: Self.median(uptimeTimes))
    }

    static func median(_ values: [Duration]) -> Duration {
        let sorted = values.sorted()
        return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
    }
}
