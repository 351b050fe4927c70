import Foundation
package import Logging
import NadiCore
package import NadiStore

/// `nadi bench import`: what the audit trail costs an inventory import. Registers `devices`
/// devices over real kecamatan with `InventoryStore.upsertDevices` (what `nadi devices import` and
/// `POST /v1/inventory` do), then imports them again with every name changed (an update of each),
/// with the trail's triggers on and off in alternating rounds, and reports the medians.
package struct AuditImportBenchmark: Sendable {
    package struct Timing: Sendable {
        package var trail: Bool
        package var create: Duration
        package var update: Duration
    }

    let client: DatabaseClient
    let devices: Int
    let rounds: Int
    let logger: Logger
    let say: @Sendable (String) -> Void

    package init(client: DatabaseClient, devices: Int, rounds: Int, logger: Logger, say: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.devices = devices
        self.rounds = rounds
        self.logger = logger
        self.say = say
    }

    package func run() async throws -> [Timing] {
        let store = BenchmarkStore(client: client, logger: logger)
        let districts = try await store.districtCodes()
        guard !districts.isEmpty else { throw BenchError("no kecamatan: import the builtin regions first") }
        func records(_ name: String) -> [(index: Int, record: DeviceRecord)] {
            (0..<devices).map { index in
                let region = RegionCode(districts[index % districts.count]) ?? RegionCode(16, 71)
                return (
                    index,
                    DeviceRecord(
                        externalID: "IMP-\(index)", kind: .cctv, region: region, site: nil, name: "\(name) \(index)", lat: nil, lon: nil,
                        installed: CalendarDay(year: 2024, month: 1, day: 1), decommissioned: nil, intervalSeconds: 60,
                        attributes: .object([
                            "stream_url": .string("rtsp://10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)/main")
                        ]))
                )
            }
        }
        let first = records("Kamera")
        let second = records("Kamera baru")
        let inventory = InventoryStore(client: client, logger: logger)
        var timings: [Timing] = []
        for round in 0..<(rounds * 2) {
            let trail = round % 2 == 0
            try await store.removeBenchDevices()
            try await store.setAuditTriggers(on: trail)
            let clock = ContinuousClock()
            let create = try await clock.measure { _ = try await inventory.upsertDevices(first, allOrNothing: true) }
            let update = try await clock.measure { _ = try await inventory.upsertDevices(second, allOrNothing: true) }
            let timing = Timing(trail: trail, create: create, update: update)
            say(
                String(
                    format: "round %d, audit trail %@: %d new devices %.2f s, %d changed %.2f s", round / 2 + 1, trail ? "on " : "off",
                    devices,
                    create.seconds, devices, update.seconds))
            timings.append(timing)
        }
        try await store.setAuditTriggers(on: true)
        return timings
    }
}

extension Duration {
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
