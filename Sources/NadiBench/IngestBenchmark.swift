import Foundation
package import Logging
import NIOCore
import NIOHTTP1
import NadiCore
package import NadiStore
import PostgresNIO

/// `nadi bench ingest`: how many pings a second nadid stores, next to what PostgreSQL's own COPY
/// stores of the very same rows into an identically indexed table of the same database.
///
/// Runs against a scratch database that nadid (at `host:port`) also uses. Each round sends a fresh
/// set of pings to nadid over HTTP, waits for nadid to settle, then COPYs the same rows; the rounds
/// alternate so that both loaders meet the same table sizes, checkpoints and background work.
package struct IngestBenchmark: Sendable {
    package struct Settings: Sendable {
        package var devices = 100_000
        /// Pings sent to nadid (and COPYed) in each round.
        package var pings = 1_000_000
        package var batch = 1000
        package var connections = 8
        package var rounds = 3
        /// How request bodies are sent.
        package var body: BodyFormat = .ndjson
        /// Percent of each round's pings sent late (after a newer ping of the same device); 0 for none.
        package var latePercent: Double = 0
        /// A device's status changes every this many of its pings (30: the stress case the README
        /// measures; a real fleet changes a few times a day, `--change-every 500` and more).
        package var changeEvery = 30

        package init() {}

        /// One in how many pings is sent late, or nil.
        var lateEvery: Int? { latePercent > 0 ? max(1, Int((100 / latePercent).rounded())) : nil }

        var pingsPerDevice: Int { max(1, pings / devices) }
    }

    /// The body of each `POST /v1/pings`.
    package enum BodyFormat: String, Sendable, CaseIterable {
        /// `application/x-ndjson`, one ping a line.
        case ndjson
        /// `application/json`, an array of pings.
        case json

        var contentType: String { self == .ndjson ? "application/x-ndjson" : "application/json" }
    }

    /// The figures, medians over the rounds.
    package struct Result: Sendable {
        package var nadidPerSecond: Double
        package var copyPerSecond: Double
        package var p50: Double
        package var p99: Double
        package var halfRate: Double
        package var halfRateP50: Double
        package var halfRateP99: Double
        package var acknowledged: Int
        package var stored: Int
        package var rejected: Int
        package var duplicates: Int
        package var retries: Int
        package var peakResidentBytes: Int?

        /// nadid's rate over COPY's.
        package var ratio: Double { copyPerSecond > 0 ? nadidPerSecond / copyPerSecond : 0 }
    }

    let client: DatabaseClient
    let host: String
    let port: Int
    let settings: Settings
    let logger: Logger
    let say: @Sendable (String) -> Void
    let peakResidentBytes: @Sendable () -> Int?

    /// - Parameters:
    ///   - client: the scratch database nadid writes to, regions already imported.
    ///   - peakResidentBytes: nadid's peak resident memory so far, when the benchmark can see it.
    package init(
        client: DatabaseClient, host: String, port: Int, settings: Settings, logger: Logger,
        peakResidentBytes: @escaping @Sendable () -> Int?, say: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.host = host
        self.port = port
        self.settings = settings
        self.logger = logger
        self.peakResidentBytes = peakResidentBytes
        self.say = say
    }

    package func run() async throws -> Result {
        let store = BenchmarkStore(client: client, logger: logger)
        let districts = try await store.districtCodes()
        guard !districts.isEmpty else { throw BenchError("the scratch database has no kecamatan; import the builtin regions first") }
        let fleet = BenchFleet(count: settings.devices, districts: districts)
        let (_, token) = try await TokenStore(client: client, logger: logger).create(
            name: "nadi bench ingest", region: nil, scopes: [.ingest, .inventory])
        let sender = PingSender(
            host: host, port: port, token: token, connections: settings.connections, contentType: settings.body.contentType)

        let registering = ContinuousClock.now
        try await register(fleet, token: token)
        let ids = try await deviceIDs(count: fleet.devices.count)
        let regencies = Set(fleet.devices.map { $0.region.split(separator: ".").prefix(2).joined(separator: ".") }).count
        say(
            "fleet: \(fleet.devices.count) devices (cctv, fiber_link, attendance, videotron) over \(regencies) kabupaten/kota, registered over HTTP in \(String(format: "%.1f", (ContinuousClock.now - registering).seconds)) s"
        )
        say(
            "workload: \(settings.pingsPerDevice) pings per device per round, a status change every \(settings.changeEvery) pings of a device, \(settings.latePercent) % sent late, \(settings.body == .ndjson ? "NDJSON" : "JSON-array") bodies of \(settings.batch)"
        )
        try await createScratchTable()

        var nadidRates: [Double] = []
        var copyRates: [Double] = []
        var full = PingSender.Tally()
        for round in 1...settings.rounds {
            let pings = BenchFleet.delaying(
                fleet.pings(
                    perDevice: settings.pingsPerDevice, endMicros: Self.nowMicros(), round: round, changeEvery: settings.changeEvery),
                every: settings.lateEvery)
            let bodies = self.bodies(fleet, pings)
            let chunks = fleet.copyChunks(pings, ids: ids)
            let (tally, took) = try await sender.send(bodies)
            full.merge(tally)
            let nadidRate = Double(pings.count) / took.seconds
            try await Task.sleep(for: .seconds(3))  // nadid's coalesced last_seen flush, then quiet
            let copyTook = try await copy(chunks)
            let copyRate = Double(pings.count) / copyTook.seconds
            nadidRates.append(nadidRate)
            copyRates.append(copyRate)
            say(
                String(
                    format: "round %d: nadid %.0f pings/s (p50 %.1f ms, p99 %.1f ms), COPY %.0f rows/s, %d pings",
                    round, nadidRate, tally.latency.percentile(50), tally.latency.percentile(99), copyRate, pings.count))
            if tally.rejected > 0 { say("  rejected \(tally.rejected), first: \(tally.firstRejection ?? "")") }
            try await Task.sleep(for: .seconds(1))
        }

        let nadidRate = median(nadidRates)
        let halfRate = nadidRate / 2
        let pings = BenchFleet.delaying(
            fleet.pings(
                perDevice: settings.pingsPerDevice, endMicros: Self.nowMicros(), round: settings.rounds + 1,
                changeEvery: settings.changeEvery),
            every: settings.lateEvery)
        let bodies = self.bodies(fleet, pings)
        let spacing = Duration.seconds(Double(settings.batch) / halfRate)
        let (paced, _) = try await sender.send(bodies, spacing: spacing)
        var total = full
        total.merge(paced)
        say(
            String(
                format: "at half that rate (%.0f pings/s, open loop): p50 %.1f ms, p99 %.1f ms", halfRate, paced.latency.percentile(50),
                paced.latency.percentile(99)))

        try await Task.sleep(for: .seconds(3))
        let stored = try await store.pingCount()
        try await store.dropCopyTable()
        return Result(
            nadidPerSecond: nadidRate, copyPerSecond: median(copyRates), p50: full.latency.percentile(50),
            p99: full.latency.percentile(99), halfRate: halfRate, halfRateP50: paced.latency.percentile(50),
            halfRateP99: paced.latency.percentile(99), acknowledged: total.accepted, stored: stored, rejected: total.rejected,
            duplicates: total.duplicates, retries: total.retries, peakResidentBytes: peakResidentBytes())
    }

    private func bodies(_ fleet: BenchFleet, _ pings: [BenchFleet.Ping]) -> [ByteBuffer] {
        switch settings.body {
        case .ndjson: fleet.ndjsonBodies(pings, batch: settings.batch)
        case .json: fleet.jsonArrayBodies(pings, batch: settings.batch)
        }
    }

    /// Registers the fleet through `POST /v1/inventory`, as a city would; every device must be accepted.
    private func register(_ fleet: BenchFleet, token: String) async throws {
        let bodies = fleet.inventoryBodies(chunk: 5000)
        let cursor = Cursor()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(settings.connections, 4) {
                group.addTask { [host, port] in
                    try await HTTPConnection.with(host: host, port: port) { http in
                        while let index = cursor.next(below: bodies.count) {
                            let response = try await http.send(
                                method: .POST, path: "/v1/inventory",
                                headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")], body: bodies[index])
                            guard response.status == 200,
                                let answer = try? JSONDecoder().decode(BatchAnswer.self, from: Data(response.body.readableBytesView)),
                                answer.rejected.isEmpty
                            else {
                                throw BenchError("registering the fleet failed: HTTP \(response.status) \(response.text.prefix(300))")
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Row ids of BENCH-0… in fleet order.
    private func deviceIDs(count: Int) async throws -> [Int64] {
        guard let ids = try await BenchmarkStore(client: client, logger: logger).deviceIDs(prefix: "BENCH-", count: count) else {
            throw BenchError("some bench devices were not registered")
        }
        return ids
    }

    private func createScratchTable() async throws {
        try await BenchmarkStore(client: client, logger: logger).createCopyTable()
    }

    private func copy(_ chunks: [ByteBuffer]) async throws -> Duration {
        try await BenchmarkStore(client: client, logger: logger).copy(chunks)
    }

    static func nowMicros() -> Int64 { Timestamp.microseconds(Date()) }
}
