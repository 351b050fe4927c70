import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// What the device poller reads: the devices it polls (its lease is a `ServiceLease`).
package struct PollerStore: Sendable {
    /// A device in service with an `attributes.snmp` (fiber link), an `attributes.probe` (any
    /// kind: a URL for cameras and videotrons, ICMP for all), or a camera whose picture is checked.
    package struct PollableDevice: Sendable {
        package var id: Int64
        package var kind: DeviceKind
        package var interval: Int
        package var snmp: JSONValue?
        package var probe: JSONValue?
        /// `stream_url` and `image_check`, for a camera whose picture is checked (`nadi_image_checked`).
        package var picture: JSONValue?
        /// The current state's status and reason (a bad picture survives a restart of the poller).
        package var status: DeviceStatus
        package var reason: String?
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
            SELECT d.id, d.kind, d.interval_s, (d.attributes -> 'snmp')::text, (d.attributes -> 'probe')::text,
                   CASE WHEN nadi_image_checked(d.kind, d.attributes)
                        THEN jsonb_strip_nulls(jsonb_build_object('stream_url', d.attributes -> 'stream_url', 'image_check', d.attributes -> 'image_check'))::text END,
                   coalesce(s.status, 'unknown'), s.reason
            FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE ((d.kind = 'fiber_link' AND d.attributes ? 'snmp') OR d.attributes ? 'probe' OR nadi_image_checked(d.kind, d.attributes))
              AND nadi_in_service(d.installed_on, d.decommissioned_on, current_date)
              AND NOT EXISTS (SELECT 1 FROM federation_mirror m WHERE d.region <@ m.region)
            """, logger: logger)
        let decoder = JSONDecoder()
        func json(_ text: String?) -> JSONValue? { text.flatMap { try? decoder.decode(JSONValue.self, from: Data($0.utf8)) } }
        var devices: [PollableDevice] = []
        for try await (id, kind, interval, snmp, probe, picture, status, reason) in rows.decode(
            (Int64, String, Int, String?, String?, String?, String, String?).self)
        {
            guard let kind = DeviceKind(rawValue: kind) else { continue }
            devices.append(
                PollableDevice(
                    id: id, kind: kind, interval: interval, snmp: json(snmp), probe: json(probe), picture: json(picture),
                    status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason))
        }
        return devices
    }
}
