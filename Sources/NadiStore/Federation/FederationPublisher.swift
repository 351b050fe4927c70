import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A refusal of a federation command, in words for the person at the terminal.
package struct FederationRefused: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// What `nadi federation publish` did.
package struct PublishOutcome: Sendable {
    package var origin: FederationOrigin
    /// False when the database had published this region already (nothing changed).
    package var created: Bool
    package var renumberedDevices: Int
    package var renumberedWindows: Int
}

/// The publishing side of a federation (DESIGN "Scale beyond one machine"): a regency's database
/// offers its region's inventory and history to provinces by logical replication.
package struct FederationPublisher: Sendable {
    /// The publication every Nadi publisher creates; subscribers ask for it by this name.
    package static let publication = "nadi_federation"

    /// The tables published whole; region, target and maintenance_window are published filtered
    /// to the origin's subtree (a regency's database also holds its province's rows).
    package static let wholeTables = ["site", "device", "device_state", "status_interval", "device_link", "incident_ack"]

    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// This database's published origin, if it published.
    package func origin() async throws -> FederationOrigin? {
        for try await region in try await client.query("SELECT region::text FROM federation_origin", logger: logger).decode(String.self) {
            return RegionCode(region).flatMap(FederationOrigin.init(region:))
        }
        return nil
    }

    /// Publishes `region`: checks the server can publish and the database holds nothing outside the
    /// region, moves existing ids into the origin's range (once), and creates the publication.
    /// Renumbering is refused while a nadid holds a lease on the database (it would not see the
    /// new ids in time for pings in flight).
    package func publish(_ region: RegionCode) async throws -> PublishOutcome {
        guard let origin = FederationOrigin(region: region) else {
            throw FederationRefused("\(region) is a \(region.level.rawValue): a province or a regency publishes (e.g. 16.71)")
        }
        let walLevel = try await client.query("SHOW wal_level", logger: logger).collect().first?.decode(String.self) ?? ""
        guard walLevel == "logical" else {
            throw FederationRefused(
                "this PostgreSQL has wal_level = \(walLevel); a publisher needs logical: ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (and allow the subscriber's host in pg_hba.conf)"
            )
        }
        if let current = try await self.origin() {
            guard current.region == region else {
                throw FederationRefused("this database publishes \(current.region) already; one database publishes one region")
            }
            let exists = try await !client.query("SELECT 1 FROM pg_publication WHERE pubname = \(Self.publication)", logger: logger)
                .collect().isEmpty
            if !exists { try await client.withConnection { try await createPublication(origin, on: $0) } }
            return PublishOutcome(origin: origin, created: !exists, renumberedDevices: 0, renumberedWindows: 0)
        }
        let code = region.rawValue
        guard try await !client.query("SELECT 1 FROM region WHERE code = \(code)::ltree", logger: logger).collect().isEmpty else {
            throw FederationRefused("region \(region) does not exist here; import regions first (nadi regions import --builtin)")
        }
        try await refuseOutside(region)
        let base = origin.firstID
        let foreign = try await client.query(
            "SELECT external_id FROM device WHERE nadi_origin_of(id) NOT IN (0, \(origin.number)) LIMIT 5", logger: logger
        ).collect().map { try $0.decode(String.self) }
        guard foreign.isEmpty else {
            throw FederationRefused(
                "devices \(foreign.joined(separator: ", ")) carry ids of another origin; this database is a mirror, not a source")
        }
        let toRenumber =
            try await client.query("SELECT count(*) FROM device WHERE nadi_origin_of(id) = 0", logger: logger).collect().first?.decode(
                Int.self) ?? 0
        if toRenumber > 0 {
            var holders: [String] = []
            var lapses = 0
            for try await (holder, name, seconds) in try await client.query(
                """
                SELECT holder, name, ceil(extract(epoch FROM expires_at - now()))::int8 FROM service_lease
                WHERE expires_at > now() ORDER BY holder
                """, logger: logger
            ).decode((String, String, Int64).self) {
                holders.append("\(holder), \(name)")
                lapses = max(lapses, Int(seconds))
            }
            guard holders.isEmpty else {
                throw FederationRefused(
                    "a nadid is running on this database (\(holders.joined(separator: "; "))): stop it first — publishing moves the \(toRenumber) existing devices into ids of origin \(origin.number), which a running nadid would not see in time for pings in flight; start it again right after. (A nadid stopped cleanly gives its leases up; one that was killed holds them until they lapse, in \(lapses) s.)"
                )
            }
        }
        return try await client.transaction(logger: logger) { connection in
            // Nothing else writes devices, windows or history while the ids move.
            _ = try await connection.query(
                "LOCK TABLE device, maintenance_window, device_state, status_interval, alert_event, ping IN SHARE ROW EXCLUSIVE MODE",
                logger: logger)
            let devices = try await connection.query(
                "UPDATE device SET id = id + \(base) WHERE nadi_origin_of(id) = 0 RETURNING id", logger: logger
            ).collect().count
            // Pings, intervals and alert events have no foreign key (schema parts 2 and 16): moved in step.
            for table in ["ping", "status_interval", "alert_event"] {
                _ = try await connection.query(
                    "UPDATE \(unescaped: table) SET device_id = device_id + \(base) WHERE device_id < \(FederationOrigin.span)",
                    logger: logger)
            }
            let windows = try await connection.query(
                "UPDATE maintenance_window SET id = id + \(base) WHERE nadi_origin_of(id) = 0 RETURNING id", logger: logger
            ).collect().count
            for (table, sequence) in [("device", "device_id_seq"), ("maintenance_window", "maintenance_window_id_seq")] {
                _ = try await connection.query(
                    "ALTER SEQUENCE \(unescaped: sequence) MINVALUE \(unescaped: String(base)) MAXVALUE \(unescaped: String(origin.lastID)) START WITH \(unescaped: String(base)) RESTART WITH \(unescaped: String(base))",
                    logger: logger)
                _ = try await connection.query(
                    "SELECT setval(\(sequence), greatest(\(base), (SELECT max(id) FROM \(unescaped: table) WHERE nadi_origin_of(id) = \(origin.number))))",
                    logger: logger)
            }
            _ = try await connection.query(
                "INSERT INTO federation_origin (region, origin) VALUES (\(code)::ltree, \(origin.number))", logger: logger)
            try await createPublication(origin, on: connection)
            return PublishOutcome(origin: origin, created: true, renumberedDevices: devices, renumberedWindows: windows)
        }
    }

    /// Refuses to publish a region while the database holds devices, sites or maintenance windows
    /// outside it: a subscriber would take them as the region's.
    private func refuseOutside(_ region: RegionCode) async throws {
        let code = region.rawValue
        let checks: [(String, PostgresQuery)] = [
            (
                "devices",
                "SELECT external_id || ' (' || region::text || ')' FROM device WHERE NOT region <@ \(code)::ltree ORDER BY 1 LIMIT 5"
            ),
            ("sites", "SELECT code || ' (' || region::text || ')' FROM site WHERE NOT region <@ \(code)::ltree ORDER BY 1 LIMIT 5"),
        ]
        for (what, query) in checks {
            let outside = try await client.query(query, logger: logger).collect().map { try $0.decode(String.self) }
            guard outside.isEmpty else {
                throw FederationRefused(
                    "\(what) outside \(region) are in this database: \(outside.joined(separator: ", ")); a database publishes one region, so move or delete them first"
                )
            }
        }
    }

    private func createPublication(_ origin: FederationOrigin, on connection: PostgresConnection) async throws {
        let code = origin.region.rawValue
        // Row filters take constants only (no parameters); a RegionCode is digits and dots.
        guard code.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            throw FederationRefused("region code \(code) cannot be published")
        }
        let within = { (column: String) in "(\(column) = '\(code)' OR \(column) LIKE '\(code).%')" }
        _ = try await connection.query(
            """
            CREATE PUBLICATION \(unescaped: Self.publication) FOR TABLE
                \(unescaped: Self.wholeTables.joined(separator: ", ")),
                region WHERE \(unescaped: within("code_text")),
                target WHERE \(unescaped: within("region_text")),
                maintenance_window WHERE (region_text IS NULL OR \(unescaped: within("region_text")))
            """, logger: logger)
    }
}
