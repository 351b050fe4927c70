package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Who acknowledged an incident, and when.
package struct IncidentAck: Sendable, Equatable {
    package var by: String
    package var at: Date
    package var note: String
}

/// Acknowledgements of open incidents (root device + the start of its current stretch).
package struct IncidentAckStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Acknowledges the incident rooted at `device` whose current stretch began at `sinceMicros`
    /// (microseconds since 1970, as the overview's form carries it), when the device lies in `scope`
    /// and is still down in that stretch. Returns false otherwise (nothing stored).
    package func acknowledge(device: String, sinceMicros: Int64, by user: String, note: String, scope: RegionCode?) async throws -> Bool {
        let filter = scope?.rawValue ?? ""
        let rows = try await client.write(
            """
            INSERT INTO incident_ack (device_id, since, acknowledged_by, note)
            SELECT d.id, s.since, \(user), \(String(note.prefix(300)))
            FROM device d JOIN device_state s ON s.device_id = d.id
            WHERE d.external_id = \(device) AND (extract(epoch FROM s.since) * 1000000)::int8 = \(sinceMicros)
              AND NOT nadi_is_operational(s.status)
              AND (\(filter) = '' OR d.region <@ nullif(\(filter), '')::ltree)
            ON CONFLICT (device_id, since) DO NOTHING
            RETURNING 1
            """, logger: logger)
        return !rows.isEmpty
    }

    /// Acknowledges the current stretch of `device` not working (`nadi incidents ack`); false when
    /// the device is unknown, working, or that stretch is acknowledged already.
    package func acknowledgeCurrent(device: String, by user: String, note: String) async throws -> Bool {
        let rows = try await client.write(
            """
            INSERT INTO incident_ack (device_id, since, acknowledged_by, note)
            SELECT d.id, s.since, \(user), \(String(note.prefix(300)))
            FROM device d JOIN device_state s ON s.device_id = d.id
            WHERE d.external_id = \(device) AND NOT nadi_is_operational(s.status)
            ON CONFLICT (device_id, since) DO NOTHING
            RETURNING 1
            """, logger: logger)
        return !rows.isEmpty
    }

    /// The acknowledgements of the given incidents, by root id (only those whose `since` matches).
    package func acknowledgements(_ incidents: [Incident]) async throws -> [String: IncidentAck] {
        let roots = incidents.filter { $0.since != nil }.map(\.root)
        guard !roots.isEmpty else { return [:] }
        let wanted = Dictionary(incidents.compactMap { incident in incident.since.map { (incident.root, $0) } }) { a, _ in a }
        var found: [String: IncidentAck] = [:]
        for try await (root, since, by, at, note) in try await client.query(
            """
            SELECT d.external_id, a.since, a.acknowledged_by, a.acknowledged_at, a.note
            FROM incident_ack a JOIN device d ON d.id = a.device_id WHERE d.external_id = ANY(\(roots))
            """, logger: logger
        ).decode((String, Date, String, Date, String).self) {
            guard let expected = wanted[root], abs(expected.timeIntervalSince(since)) < 0.000_5 else { continue }
            found[root] = IncidentAck(by: by, at: at, note: note)
        }
        return found
    }
}
