import Foundation
package import Logging
import NIOCore
import NadiCore
package import NadiStore
import PostgresNIO

/// `nadi bench console`: the server time of every console page for a kabupaten/kota user (5,000
/// devices) and a province user (50,000), at two ping volumes an order of magnitude apart. Pages read
/// state, not raw pings, so their time must not grow with the ping volume.
package struct ConsoleBenchmark: Sendable {
    package struct Settings: Sendable {
        package var regency = "16.71"
        package var regencyDevices = 5_000
        package var provinceDevices = 50_000
        package var pingsPerDevice = 10
        package var requests = 20
        package init() {}
    }

    /// One page's times at one scope and volume.
    package struct PageTiming: Sendable {
        package var scope: String
        package var pings: Int
        package var page: String
        package var p50: Double
        package var p95: Double
        package var bytes: Int
    }

    static let password = "bench-console-password"
    let client: DatabaseClient
    let host: String
    let port: Int
    let settings: Settings
    let logger: Logger
    let say: @Sendable (String) -> Void

    package init(
        client: DatabaseClient, host: String, port: Int, settings: Settings, logger: Logger, say: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.host = host
        self.port = port
        self.settings = settings
        self.logger = logger
        self.say = say
    }

    /// The console's pages, as a user opens them.
    package static let pages = [
        "/", "/devices", "/devices?kind=cctv&state=down", "/devices.csv", "/devices/BENCH-8", "/coverage", "/uptime", "/schools",
    ]

    /// Builds the fleet, creates the users, measures both volumes; returns every page's timing.
    package func run() async throws -> [PageTiming] {
        let started = ContinuousClock.now
        let store = BenchmarkStore(client: client, logger: logger)
        try await store.generateConsoleFleet(
            regency: settings.regency, regencyDevices: settings.regencyDevices, provinceDevices: settings.provinceDevices)
        say(
            "fleet: \(settings.regencyDevices) devices in \(settings.regency), \(settings.provinceDevices) in its province, 30 days of state history (\(Self.elapsed(since: started)))"
        )
        let users = ConsoleUserStore(client: client, logger: logger, cost: 10)
        let province = String(settings.regency.prefix { $0 != "." })
        for (name, region) in [("bench-regency", settings.regency), ("bench-province", province)] {
            _ = try await users.create(name: name, region: RegionCode(region), role: .viewer, password: Self.password)
        }
        var timings: [PageTiming] = []
        let now = Date()
        for (seed, factor) in [(0, 1), (1, 9)] {
            let added = settings.provinceDevices * settings.pingsPerDevice * factor
            try await store.addSyntheticPings(count: added, devices: settings.provinceDevices, seed: seed, now: now)
            let total = try await store.pingCount()
            say("pings: \(total)")
            for (name, scope) in [
                ("bench-regency", "kota \(settings.regency) (\(settings.regencyDevices))"),
                ("bench-province", "province \(province) (\(settings.provinceDevices))"),
            ] {
                let cookie = try await login(name)
                for page in Self.pages {
                    let timing = try await measure(page, cookie: cookie, scope: scope, pings: total)
                    say(
                        String(
                            format: "%@, %d pings: %@ p50 %.0f ms, p95 %.0f ms (%d bytes)", scope, total, page, timing.p50, timing.p95,
                            timing.bytes))
                    timings.append(timing)
                }
            }
        }
        return timings
    }

    /// Logs in through the form; returns the session cookie.
    func login(_ name: String) async throws -> String {
        try await ConsoleLogin.session(host: host, port: port, name: name, password: Self.password)
    }

    func measure(_ page: String, cookie: String, scope: String, pings: Int) async throws -> PageTiming {
        try await HTTPConnection.with(host: host, port: port, maxResponseBytes: 64 << 20) { http in
            var times: [Double] = []
            var bytes = 0
            _ = try await http.get(page, headers: [("Cookie", cookie)])  // warm-up
            for _ in 0..<settings.requests {
                let started = ContinuousClock.now
                let answer = try await http.get(page, headers: [("Cookie", cookie)])
                times.append((ContinuousClock.now - started).milliseconds)
                guard answer.status == 200 else { throw BenchError("\(page) answered HTTP \(answer.status)") }
                bytes = answer.body.readableBytes
            }
            times.sort()
            func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int((p / 100 * Double(times.count)).rounded(.up)) - 1)] }
            return PageTiming(scope: scope, pings: pings, page: page, p50: percentile(50), p95: percentile(95), bytes: bytes)
        }
    }

}
