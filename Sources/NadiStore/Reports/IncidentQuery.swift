package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Why each non-operational device is down now, and the incidents that groups them into.
package struct IncidentQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The current cause and root (external id) of every device under `region` that is down now.
    package func currentCauses(region: RegionCode?, now: Date = Date()) async throws -> [String: (cause: Cause, root: String)] {
        let down = try await downDevices(region: region)
        let (needed, attribution) = try await CauseQuery(client: client, logger: logger).attribution(
            for: down.map(\.id), window: now.addingTimeInterval(-1)..<now, now: now)
        var names = Dictionary(uniqueKeysWithValues: down.map { ($0.id, $0.externalID) })
        var causes: [Int64: (Cause, Int64)] = [:]
        for device in down {
            if needed.contains(device.id), let found = attribution.cause(device.id, at: now.addingTimeInterval(-0.5)) {
                causes[device.id] = found
            } else {
                causes[device.id] = (.own, device.id)
            }
        }
        let missing = Set(causes.values.map(\.1)).subtracting(names.keys)
        if !missing.isEmpty {
            for try await (id, external) in try await client.query(
                "SELECT id, external_id FROM device WHERE id = ANY(\(Array(missing)))", logger: logger
            ).decode((Int64, String).self) { names[id] = external }
        }
        var result: [String: (cause: Cause, root: String)] = [:]
        for device in down {
            guard let (cause, root) = causes[device.id] else { continue }
            result[device.externalID] = (cause, names[root] ?? String(root))
        }
        return result
    }

    /// Open incidents under `region` (by where their devices are), largest first.
    package func open(region: RegionCode?, now: Date = Date()) async throws -> [Incident] {
        let causes = try await currentCauses(region: region, now: now)
        var dependents: [String: Int] = [:]
        var roots: [String: Cause] = [:]
        for (device, entry) in causes {
            if entry.root == device {
                roots[device] = entry.cause
            } else {
                dependents[entry.root, default: 0] += 1
                if roots[entry.root] == nil { roots[entry.root] = entry.cause == .maintenance ? .maintenance : .own }
            }
        }
        guard !roots.isEmpty else { return [] }
        var incidents: [Incident] = []
        for try await (external, name, kind, code, since) in try await client.query(
            """
            SELECT d.external_id, d.name, d.kind, d.region::text, s.since FROM device d LEFT JOIN device_state s ON s.device_id = d.id
            WHERE d.external_id = ANY(\(Array(roots.keys)))
            """, logger: logger
        ).decode((String, String, String, String, PostgresTimestamp?).self) {
            incidents.append(
                Incident(
                    root: external, name: name, kind: kind, region: code, since: since?.date, cause: roots[external] ?? .own,
                    dependentsDown: dependents[external] ?? 0))
        }
        return incidents.sorted { ($0.dependentsDown, $1.root) > ($1.dependentsDown, $0.root) }
    }

    private struct Down {
        var id: Int64
        var externalID: String
    }

    private func downDevices(region: RegionCode?) async throws -> [Down] {
        let code = region?.rawValue ?? ""
        var down: [Down] = []
        for try await (id, external) in try await client.query(
            """
            SELECT d.id, d.external_id FROM device d JOIN device_state s ON s.device_id = d.id
            WHERE s.status NOT IN ('up', 'degraded', 'unknown') AND (\(code) = '' OR d.region <@ nullif(\(code), '')::ltree)
              AND NOT nadi_decommissioned_by(d.decommissioned_on, current_date)
            """, logger: logger
        ).decode((Int64, String).self) {
            down.append(Down(id: id, externalID: external))
        }
        return down
    }
}
