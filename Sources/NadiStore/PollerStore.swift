package import Foundation
package import Logging
package import NadiCore
package import PostgresNIO

/// What the device poller reads: the devices it polls (its lease is a `ServiceLease`).
package struct PollerStore: Sendable {
    /// A device in service with an `attributes.snmp` (fiber link) or `attributes.probe` (camera,
    /// videotron).
    package struct PollableDevice: Sendable {
        package var id: Int64
        package var kind: DeviceKind
        package var interval: Int
        package var snmp: JSONValue?
        package var probe: JSONValue?
    }

    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The devices in service that the poller checks.
    package func pollableDevices() async throws -> [PollableDevice] {
        let rows = try await client.query(
            """
            SELECT id, kind, interval_s, (attributes -> 'snmp')::text, (attributes -> 'probe')::text FROM device
            WHERE ((kind = 'fiber_link' AND attributes ? 'snmp') OR (kind IN ('cctv', 'videotron') AND attributes ? 'probe'))
              AND nadi_in_service(installed_on, decommissioned_on, current_date)
              AND NOT EXISTS (SELECT 1 FROM federation_mirror m WHERE device.region <@ m.region)
            """, logger: logger)
        let decoder = JSONDecoder()
        var devices: [PollableDevice] = []
        for try await (id, kind, interval, snmp, probe) in rows.decode((Int64, String, Int, String?, String?).self) {
            guard let kind = DeviceKind(rawValue: kind) else { continue }
            devices.append(
                PollableDevice(
                    id: id, kind: kind, interval: interval, snmp: snmp.flatMap { try? decoder.decode(JSONValue.self, from: Data($0.utf8)) },
                    probe: probe.flatMap { try? decoder.decode(JSONValue.self, from: Data($0.utf8)) }))
        }
        return devices
    }
}
