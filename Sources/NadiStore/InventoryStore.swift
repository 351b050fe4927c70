package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Upserts sites and devices. Records that cannot be stored are rejected one by one with their index;
/// the rest of the batch is committed in one transaction.
package struct InventoryStore: Sendable {
    let client: DatabaseClient
    let logger: Logger
    /// The deployment's time zone: a device's first upstream link holds from the start of its
    /// installed day there.
    let timeZone: TimeZone

    package init(client: DatabaseClient, logger: Logger, timeZone: TimeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt) {
        self.client = client
        self.logger = logger
        self.timeZone = timeZone
    }

    /// Stores `records` (each with its index in the request). Returns the outcome and the stored devices.
    /// With `allOrNothing`, any rejection throws `RejectedBatch` and nothing is stored.
    ///
    /// `scope` is the writer's region subtree (a token's; nil for all of Indonesia): a record is
    /// refused when the device it would overwrite lies outside it, or when its site does. A site
    /// outside the scope reads like an unknown one, so a token learns nothing of other regions.
    package func upsertDevices(
        _ records: [(index: Int, record: DeviceRecord)], scope: RegionCode? = nil, allOrNothing: Bool = false
    ) async throws -> (BatchOutcome, [DeviceInfo]) {
        var outcome = BatchOutcome()
        var seen: [String: Int] = [:]
        var candidates: [(index: Int, record: DeviceRecord)] = []
        for entry in records {
            if let first = seen[entry.record.externalID] {
                outcome.rejected.append(
                    RecordError(
                        index: entry.index,
                        error: "device '\(entry.record.externalID)' appears twice in this batch (first at index \(first))"))
                continue
            }
            seen[entry.record.externalID] = entry.index
            candidates.append(entry)
        }
        guard !candidates.isEmpty else { return (outcome, []) }
        let stored: [DeviceInfo] = try await client.transaction(logger: logger) { connection in
            let regions = try await existing(
                "SELECT code::text FROM region WHERE code = ANY(\(Array(Set(candidates.map(\.record.region.rawValue))))::ltree[])",
                on: connection)
            var siteRegions: [String: RegionCode] = [:]
            for try await (code, region) in try await connection.query(
                "SELECT code, region::text FROM site WHERE code = ANY(\(Array(Set(candidates.compactMap(\.record.site)))))", logger: logger
            ).decode((String, String).self) {
                guard let region = RegionCode(region), scope.map({ region.isWithin($0) }) ?? true else { continue }
                siteRegions[code] = region
            }
            // The devices these records would overwrite, locked so a concurrent move cannot slip between check and write.
            var existingRegions: [String: RegionCode] = [:]
            for try await (id, region) in try await connection.query(
                """
                SELECT external_id, region::text FROM device
                WHERE external_id = ANY(\(candidates.map(\.record.externalID))) AND nadi_origin_of(id) = nadi_local_origin() FOR UPDATE
                """,
                logger: logger
            ).decode((String, String).self) {
                existingRegions[id] = RegionCode(region)
            }
            var serialOwners: [String: String] = [:]
            let serials = candidates.compactMap { $0.record.kind == .attendance ? $0.record.attributes["serial"]?.stringValue : nil }
            if !serials.isEmpty {
                let rows = try await connection.query(
                    """
                    SELECT attributes->>'serial', external_id FROM device
                    WHERE kind = 'attendance' AND attributes->>'serial' = ANY(\(serials)) AND nadi_origin_of(id) = nadi_local_origin()
                    """,
                    logger: logger)
                for try await (serial, owner) in rows.decode((String, String).self) { serialOwners[serial] = owner }
            }
            let mirrors = try await FederationMirrors.load(on: connection, logger: logger)
            var valid: [DeviceRecord] = []
            var batchSerials: [String: String] = [:]
            for (index, record) in candidates {
                if let mirror = mirrors.source(of: record.region) {
                    outcome.rejected.append(RecordError(index: index, error: mirror.refusal(record.region)))
                } else if !regions.contains(record.region.rawValue) {
                    outcome.rejected.append(
                        RecordError(
                            index: index,
                            error: "region \(record.region) does not exist; import regions first (nadi regions import --builtin)"))
                } else if let scope, let current = existingRegions[record.externalID], !current.isWithin(scope) {
                    outcome.rejected.append(
                        RecordError(
                            index: index,
                            error: "id '\(record.externalID)' is taken by a device this token may not change; choose another id"))
                } else if let since = record.upstreamSince, since < record.installed.start(in: timeZone) {
                    outcome.rejected.append(
                        RecordError(index: index, error: "upstream_since is before the device was installed (\(record.installed))"))
                } else if let site = record.site, siteRegions[site] == nil {
                    outcome.rejected.append(
                        RecordError(index: index, error: "site '\(site)' does not exist; register it with POST /v1/sites first"))
                } else if let site = record.site, let siteRegion = siteRegions[site], !siteRegion.isWithin(record.region) {
                    outcome.rejected.append(
                        RecordError(
                            index: index,
                            error:
                                "site '\(site)' is in region \(siteRegion), outside the device's region \(record.region); a device's site lies within its region"
                        ))
                } else if let serial = record.kind == .attendance ? record.attributes["serial"]?.stringValue : nil,
                    let owner = serialOwners[serial] ?? batchSerials[serial], owner != record.externalID
                {
                    outcome.rejected.append(
                        RecordError(
                            index: index, error: "serial '\(serial)' is already used by another device; each attendance device has its own")
                    )
                } else {
                    if record.kind == .attendance, let serial = record.attributes["serial"]?.stringValue {
                        batchSerials[serial] = record.externalID
                    }
                    valid.append(record)
                }
            }
            // Upstream links: the upstream must exist and no link may close a cycle.
            let validIDs = Set(valid.map(\.externalID))
            let indexed = candidates.filter { validIDs.contains($0.record.externalID) }.map { ($0.index, $0.record) }
            let refusals = try await UpstreamLinks.refusals(indexed.map { ($0.0, $0.1) }, scope: scope, on: connection, logger: logger)
            for (index, reason) in refusals.sorted(by: { $0.key < $1.key }) {
                outcome.rejected.append(RecordError(index: index, error: reason))
            }
            let refusedIDs = Set(indexed.filter { refusals[$0.0] != nil }.map(\.1.externalID))
            valid.removeAll { refusedIDs.contains($0.externalID) }
            if allOrNothing, !outcome.rejected.isEmpty { throw RejectedBatch(rejected: outcome.rejected) }
            guard !valid.isEmpty else { return [] }
            let rows = try await connection.query(
                """
                INSERT INTO device (external_id, kind, region, site, name, lat, lon, installed_on, decommissioned_on, interval_s, attributes)
                SELECT e, k, r::ltree, s, n, la, lo, i::date, d::date, iv, a::jsonb
                FROM unnest(\(valid.map(\.externalID)), \(valid.map(\.kind.rawValue)), \(valid.map(\.region.rawValue)),
                            \(NullableArray(valid.map(\.site))), \(valid.map(\.name)),
                            \(NullableArray(valid.map(\.lat)))::float8[], \(NullableArray(valid.map(\.lon)))::float8[],
                            \(valid.map(\.installed.description)), \(NullableArray(valid.map { $0.decommissioned?.description })),
                            \(valid.map(\.intervalSeconds)), \(valid.map(\.attributes.jsonText)))
                     AS v(e, k, r, s, n, la, lo, i, d, iv, a)
                ON CONFLICT (nadi_origin_of(id), external_id) DO UPDATE SET kind = excluded.kind, region = excluded.region, site = excluded.site,
                    name = excluded.name, lat = excluded.lat, lon = excluded.lon, installed_on = excluded.installed_on,
                    decommissioned_on = excluded.decommissioned_on, interval_s = excluded.interval_s,
                    attributes = excluded.attributes, updated_at = now()
                RETURNING id, external_id, kind, region::text, interval_s, xmax = 0
                """, logger: logger)
            var stored: [DeviceInfo] = []
            var registered = Set<String>()
            for try await (id, externalID, kind, region, interval, inserted) in rows.decode((Int64, String, String, String, Int, Bool).self)
            {
                guard let kind = DeviceKind(rawValue: kind), let region = RegionCode(region) else { continue }
                stored.append(DeviceInfo(id: id, externalID: externalID, kind: kind, region: region, intervalSeconds: interval))
                if inserted { registered.insert(externalID) }
            }
            try await UpstreamLinks.apply(valid, registered: registered, timeZone: timeZone, on: connection, logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO device_state (device_id, status, reason)
                SELECT id, 'unknown', 'never_seen' FROM unnest(\(stored.map(\.id))::bigint[]) AS id
                ON CONFLICT (device_id) DO NOTHING
                """, logger: logger)
            return stored
        }
        outcome.accepted = stored.count
        outcome.rejected.sort { $0.index < $1.index }
        return (outcome, stored)
    }

    /// Stores `records` (each with its index in the request).
    /// With `allOrNothing`, any rejection throws `RejectedBatch` and nothing is stored. A record that
    /// would overwrite a site outside `scope` (the writer's region subtree) is refused.
    package func upsertSites(
        _ records: [(index: Int, record: SiteRecord)], scope: RegionCode? = nil, allOrNothing: Bool = false
    ) async throws -> BatchOutcome {
        var outcome = BatchOutcome()
        var seen: [String: Int] = [:]
        var candidates: [(index: Int, record: SiteRecord)] = []
        for entry in records {
            if let first = seen[entry.record.code] {
                outcome.rejected.append(
                    RecordError(
                        index: entry.index, error: "site '\(entry.record.code)' appears twice in this batch (first at index \(first))"))
                continue
            }
            seen[entry.record.code] = entry.index
            candidates.append(entry)
        }
        guard !candidates.isEmpty else { return outcome }
        outcome.accepted = try await client.transaction(logger: logger) { connection in
            let regions = try await existing(
                "SELECT code::text FROM region WHERE code = ANY(\(Array(Set(candidates.map(\.record.region.rawValue))))::ltree[])",
                on: connection)
            var existingRegions: [String: RegionCode] = [:]
            for try await (code, region) in try await connection.query(
                "SELECT code, region::text FROM site WHERE code = ANY(\(candidates.map(\.record.code))) FOR UPDATE", logger: logger
            ).decode((String, String).self) {
                existingRegions[code] = RegionCode(region)
            }
            let mirrors = try await FederationMirrors.load(on: connection, logger: logger)
            var valid: [SiteRecord] = []
            for (index, record) in candidates {
                if let mirror = mirrors.source(of: record.region) ?? existingRegions[record.code].flatMap(mirrors.source(of:)) {
                    outcome.rejected.append(RecordError(index: index, error: mirror.refusal(record.region)))
                } else if let scope, let current = existingRegions[record.code], !current.isWithin(scope) {
                    outcome.rejected.append(
                        RecordError(index: index, error: "code '\(record.code)' is taken by a site this token may not change"))
                } else if regions.contains(record.region.rawValue) {
                    valid.append(record)
                } else {
                    outcome.rejected.append(
                        RecordError(
                            index: index,
                            error: "region \(record.region) does not exist; import regions first (nadi regions import --builtin)"))
                }
            }
            if allOrNothing, !outcome.rejected.isEmpty { throw RejectedBatch(rejected: outcome.rejected) }
            guard !valid.isEmpty else { return 0 }
            _ = try await connection.query(
                """
                INSERT INTO site (code, kind, name, region, lat, lon, attributes)
                SELECT c, k, n, r::ltree, la, lo, a::jsonb
                FROM unnest(\(valid.map(\.code)), \(valid.map(\.kind.rawValue)), \(valid.map(\.name)), \(valid.map(\.region.rawValue)),
                            \(NullableArray(valid.map(\.lat)))::float8[], \(NullableArray(valid.map(\.lon)))::float8[],
                            \(valid.map(\.attributes.jsonText))) AS v(c, k, n, r, la, lo, a)
                ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name, region = excluded.region,
                    lat = excluded.lat, lon = excluded.lon, attributes = excluded.attributes, updated_at = now()
                """, logger: logger)
            return valid.count
        }
        outcome.rejected.sort { $0.index < $1.index }
        return outcome
    }

    /// True when any region is imported.
    package func hasRegions() async throws -> Bool {
        try await !client.query("SELECT 1 FROM region LIMIT 1", logger: logger).collect().isEmpty
    }

    /// True when a device's external id starts with `idPrefix`.
    package func hasDevices(idPrefix: String) async throws -> Bool {
        let pattern =
            idPrefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await !client.query("SELECT 1 FROM device WHERE external_id LIKE \(pattern) LIMIT 1", logger: logger).collect().isEmpty
    }

    /// Looks devices up by external id.
    package func devices(externalIDs: [String]) async throws -> [DeviceInfo] {
        let rows = try await client.collectedRows(
            // On a subscriber an id may be both local and mirrored (from another origin): the local device wins.
            """
            SELECT DISTINCT ON (d.external_id) d.id, d.external_id, d.kind, d.region::text, d.interval_s, m.name
            FROM device d LEFT JOIN federation_mirror m ON d.region <@ m.region
            WHERE d.external_id = ANY(\(externalIDs))
            ORDER BY d.external_id, m.name IS NULL DESC
            """,
            logger: logger)
        var found: [DeviceInfo] = []
        for row in rows {
            let (id, externalID, kind, region, interval, mirror) = try row.decode((Int64, String, String, String, Int, String?).self)
            guard let kind = DeviceKind(rawValue: kind), let region = RegionCode(region) else { continue }
            found.append(
                DeviceInfo(id: id, externalID: externalID, kind: kind, region: region, intervalSeconds: interval, mirroredFrom: mirror))
        }
        return found
    }

    private func existing(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Set<String> {
        var found = Set<String>()
        for try await value in try await connection.query(query, logger: logger).decode(String.self) { found.insert(value) }
        return found
    }
}
