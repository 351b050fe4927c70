import ArgumentParser
import Foundation
import NadiBench
import NadiStore
import PostgresNIO

struct BenchConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Time every console page for a kabupaten/kota user (5,000 devices) and a province user (50,000), at 1× and 10× pings.",
        discussion: """
            Creates a scratch database `nadi_bench_console` next to the configured one (dropped and recreated), imports the \
            builtin regions, fills --regency with --regency-devices devices and the rest of its province up to \
            --province-devices, with 30 days of state history, a school per ten cameras and kecamatan targets; starts the \
            nadid built next to this nadi on it, logs in through the form as a user of the regency and of the province, and \
            GETs every page --requests times over one keep-alive connection (after one warm-up), at --pings-per-device \
            pings per device and again at ten times as many. Prints p50/p95 per page and scope, then the slowest p95 of \
            each scope against its target (300 ms for the regency, 1 s for the province) and `ratio 10x/1x`.
            Whole-process figures: nadid, PostgreSQL and this client share the machine's cores.

            Example (the README's figures):
              swift build -c release && .build/release/nadi bench console
            """)

    @Option(help: "The kabupaten/kota whose user is timed.") var regency = "16.71"
    @Option(help: "Devices in the kabupaten/kota.") var regencyDevices = 5_000
    @Option(help: "Devices in the whole province (the kabupaten/kota's included).") var provinceDevices = 50_000
    @Option(help: "Raw pings per device at 1× (10× adds nine times as many).") var pingsPerDevice = 10
    @Option(help: "Timed requests per page, scope and volume.") var requests = 20
    @Option(help: "The nadid executable to start (default: the one next to this nadi).") var nadid: String?
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard regencyDevices >= 100 else { throw ValidationError("--regency-devices must be at least 100") }
        guard provinceDevices > regencyDevices else { throw ValidationError("--province-devices must exceed --regency-devices") }
        guard (1...1000).contains(pingsPerDevice) else { throw ValidationError("--pings-per-device must be 1–1000") }
        guard (5...1000).contains(requests) else { throw ValidationError("--requests must be 5–1000") }
        guard regency.split(separator: ".").count == 2 else {
            throw ValidationError("--regency must be a kabupaten/kota code such as 16.71")
        }
    }

    func run() async throws {
        var settings = ConsoleBenchmark.Settings()
        settings.regency = regency
        settings.regencyDevices = regencyDevices
        settings.provinceDevices = provinceDevices
        settings.pingsPerDevice = pingsPerDevice
        settings.requests = requests
        let chosen = settings
        let timings = try await database.withScratchDaemon(BenchmarkStore.consoleDatabase, nadid: nadid) { client, port, _ in
            try await ConsoleBenchmark(client: client, host: "127.0.0.1", port: port, settings: chosen, logger: CLILogger.make()) {
                say($0)
            }.run()
        }
        let volumes = Array(Set(timings.map(\.pings))).sorted()
        var worstRatio = 0.0
        for scope in Array(Set(timings.map(\.scope))).sorted() {
            let target = scope.hasPrefix("kota") ? 300.0 : 1000.0
            for pings in volumes {
                let rows = timings.filter { $0.scope == scope && $0.pings == pings }
                guard let slowest = rows.max(by: { $0.p95 < $1.p95 }) else { continue }
                say(
                    String(
                        format: "%@, %d pings: slowest p95 %.0f ms (%@), target %.0f ms: %@", scope, pings, slowest.p95, slowest.page,
                        target,
                        slowest.p95 <= target ? "met" : "MISSED"))
            }
            if let small = volumes.first, let large = volumes.last, small != large {
                for page in ConsoleBenchmark.pages {
                    let a = timings.first { $0.scope == scope && $0.pings == small && $0.page == page }?.p50 ?? 0.0
                    let b = timings.first { $0.scope == scope && $0.pings == large && $0.page == page }?.p50 ?? 0.0
                    if a > 0 { worstRatio = max(worstRatio, b / a) }
                }
            }
        }
        say(String(format: "ratio 10x/1x (p50, worst page): %.2f", worstRatio))
    }
}
