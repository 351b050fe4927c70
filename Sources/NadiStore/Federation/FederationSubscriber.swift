import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// What `nadi federation subscribe` did.
package struct SubscribeOutcome: Sendable {
    package var name: String
    package var origin: FederationOrigin
    /// Tables of the publication, and how many finished their first copy within the wait.
    package var tables: Int
    package var tablesReady: Int
    /// Devices of the mirrored region on this database once the wait ended.
    package var devices: Int
    package var seconds: Double
}

/// The subscribing side of a federation (DESIGN "Scale beyond one machine"): a province's (or the
/// ministry's) database mirrors regency databases by logical replication, one subscription per
/// source, named `nadi_fed_<name>`.
package struct FederationSubscriber: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The PostgreSQL subscription of source `name`.
    package static func subscriptionName(_ name: String) -> String { "nadi_fed_\(name)" }

    /// Subscribes to the Nadi database at `source` (reached by this CLI through `sourceClient`,
    /// and by this PostgreSQL server through `source` itself) under `name`, then waits up to
    /// `wait` for the first copy of every table.
    package func subscribe(name: String, source: DatabaseURL, sourceClient: DatabaseClient, wait: Duration) async throws
        -> SubscribeOutcome
    {
        if let problem = FederationSourceName.problem(name) { throw FederationRefused(problem) }
        let started = ContinuousClock.now
        let subscription = Self.subscriptionName(name)
        // This server must be able to subscribe.
        let superuser =
            try await client.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", logger: logger).collect().first?
            .decode(Bool.self) ?? false
        guard superuser else {
            throw FederationRefused("creating a subscription needs a PostgreSQL superuser (PostgreSQL 15); connect as one")
        }
        guard try await client.query("SELECT 1 FROM federation_mirror WHERE name = \(name)", logger: logger).collect().isEmpty,
            try await client.query("SELECT 1 FROM pg_subscription WHERE subname = \(subscription)", logger: logger).collect().isEmpty
        else { throw FederationRefused("source '\(name)' exists already; see nadi federation status") }

        // What the source publishes.
        let publisher = FederationPublisher(client: sourceClient, logger: logger)
        guard let origin = try await publisher.origin(),
            try await !sourceClient.query("SELECT 1 FROM pg_publication WHERE pubname = \(FederationPublisher.publication)", logger: logger)
                .collect().isEmpty
        else {
            throw FederationRefused("\(source) has not published; run there: nadi federation publish --region CODE")
        }
        let schemaQuery: PostgresQuery = "SELECT coalesce(max(version), 0) FROM nadi_migration"
        let sourceSchema = try await sourceClient.query(schemaQuery, logger: logger).collect().first?.decode(Int.self) ?? 0
        let localSchema = try await client.query(schemaQuery, logger: logger).collect().first?.decode(Int.self) ?? 0
        guard sourceSchema == localSchema else {
            throw FederationRefused(
                "the source's schema is at migration \(sourceSchema) and this one at \(localSchema); run the same Nadi version on both (nadi migrate)"
            )
        }
        let code = origin.region.rawValue
        try await refuseConflicts(origin, sourceClient: sourceClient)

        // The source's ancestors (its province) must exist here; its own subtree comes with the copy.
        var ancestors: [(String, String, String, String, Double?, Double?)] = []
        for try await row in try await sourceClient.query(
            "SELECT code::text, level, name, type, lat, lon FROM region WHERE code @> \(code)::ltree AND code <> \(code)::ltree ORDER BY code",
            logger: logger
        ).decode((String, String, String, String, Double?, Double?).self) { ancestors.append(row) }

        let system =
            try await client.query("SELECT system_identifier::text FROM pg_control_system()", logger: logger).collect().first?
            .decode(String.self) ?? "0"
        // Slot names are the publisher's: unique per subscribing server, not only per source name.
        let slot = "\(subscription)_\(system.suffix(12))"
        let connection = source.libpqConnectionInfo.replacingOccurrences(of: "'", with: "''")
        do {
            try await client.withConnection { connection_ in
                _ = try await connection_.query(
                    """
                    CREATE SUBSCRIPTION \(unescaped: subscription) CONNECTION '\(unescaped: connection)'
                    PUBLICATION \(unescaped: FederationPublisher.publication) WITH (enabled = false, slot_name = '\(unescaped: slot)')
                    """, logger: logger)
            }
        } catch  where PostgresErrorText.describe(error).contains("replication slot \"\(slot)\" already exists") {
            throw FederationRefused(
                "the source still has the replication slot of an earlier subscription from here; drop it there first: SELECT pg_drop_replication_slot('\(slot)');"
            )
        }
        do {
            try await client.transaction(logger: logger) { connection in
                for (ancestor, level, name, type, lat, lon) in ancestors {
                    _ = try await connection.query(
                        """
                        INSERT INTO region (code, parent, level, name, type, lat, lon)
                        VALUES (\(ancestor)::ltree,
                                CASE WHEN nlevel(\(ancestor)::ltree) > 1 THEN subpath(\(ancestor)::ltree, 0, nlevel(\(ancestor)::ltree) - 1) END, \(level), \(name), \(type), \(lat), \(lon))
                        ON CONFLICT (code) DO NOTHING
                        """, logger: logger)
                }
                // This database's own copy of the subtree's regions gives way to the source's, which the
                // first copy brings in a moment. Rows naming them (users, tokens, channels) are left be:
                // the replica role skips the foreign-key checks for this one statement's deletes.
                _ = try await connection.query("SET LOCAL session_replication_role = replica", logger: logger)
                _ = try await connection.query("DELETE FROM region WHERE code <@ \(code)::ltree", logger: logger)
                _ = try await connection.query("SET LOCAL session_replication_role = origin", logger: logger)
                _ = try await connection.query(
                    """
                    INSERT INTO federation_mirror (name, region, origin, source)
                    VALUES (\(name), \(code)::ltree, \(origin.number), \(source.description))
                    """, logger: logger)
                try await Self.createIngestGuards(on: connection, logger: logger)
            }
        } catch {
            _ = try? await client.withConnection { try await $0.query("DROP SUBSCRIPTION \(unescaped: subscription)", logger: logger) }
            throw error
        }
        _ = try await client.query("ALTER SUBSCRIPTION \(unescaped: subscription) ENABLE", logger: logger)

        let deadline = ContinuousClock.now + wait
        var (tables, ready) = (0, 0)
        repeat {
            (tables, ready) = try await tableStates(subscription)
            if tables > 0, ready == tables { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        let devices =
            try await client.query("SELECT count(*) FROM device WHERE region <@ \(code)::ltree", logger: logger).collect().first?.decode(
                Int.self) ?? 0
        return SubscribeOutcome(
            name: name, origin: origin, tables: tables, tablesReady: ready, devices: devices,
            seconds: (ContinuousClock.now - started).seconds)
    }

    /// Refuses a source whose rows would collide with this database's: an overlapping mirror, this
    /// database's own published region, local devices, sites or targets in the source's region,
    /// or site codes (nationwide keys) that exist here already.
    private func refuseConflicts(_ origin: FederationOrigin, sourceClient: DatabaseClient) async throws {
        let code = origin.region.rawValue
        for try await (other, region) in try await client.query(
            "SELECT name, region::text FROM federation_mirror WHERE region @> \(code)::ltree OR region <@ \(code)::ltree", logger: logger
        ).decode((String, String).self) {
            throw FederationRefused("source '\(other)' mirrors \(region) already, which overlaps \(origin.region)")
        }
        if let own = try await FederationPublisher(client: client, logger: logger).origin(),
            own.region.isWithin(origin.region) || origin.region.isWithin(own.region)
        {
            throw FederationRefused("this database publishes \(own.region) itself, which overlaps \(origin.region)")
        }
        let counts = try await client.query(
            """
            SELECT (SELECT count(*) FROM device WHERE region <@ \(code)::ltree), (SELECT count(*) FROM site WHERE region <@ \(code)::ltree),
                   (SELECT count(*) FROM target WHERE region <@ \(code)::ltree)
            """, logger: logger
        ).collect().first?.decode((Int, Int, Int).self)
        if let (devices, sites, targets) = counts, devices + sites + targets > 0 {
            throw FederationRefused(
                "this database has \(devices) devices, \(sites) sites and \(targets) targets of its own in \(origin.region); a mirrored region is written by its source only, so delete them here first (targets: the source's own come with the copy)"
            )
        }
        let sourceSites = try await sourceClient.query("SELECT code FROM site", logger: logger).collect().map { try $0.decode(String.self) }
        let taken = try await client.query("SELECT code FROM site WHERE code = ANY(\(sourceSites)) ORDER BY code LIMIT 5", logger: logger)
            .collect().map { try $0.decode(String.self) }
        guard taken.isEmpty else {
            throw FederationRefused(
                "site codes \(taken.joined(separator: ", ")) exist both here and at the source; site codes are nationwide keys (schools: their NPSN), so rename one side's"
            )
        }
    }

    /// Triggers that refuse local writes of mirrored devices' state and history (nadid refuses
    /// such pings record by record first; this is the backstop). Replication's own writes skip them.
    static func createIngestGuards(on connection: PostgresConnection, logger: Logger) async throws {
        for table in ["device_state", "status_interval"] {
            _ = try await connection.query(
                """
                CREATE OR REPLACE TRIGGER \(unescaped: table)_mirrored_guard BEFORE INSERT OR UPDATE ON \(unescaped: table)
                FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION nadi_refuse_mirrored_write()
                """, logger: logger)
        }
    }

    private func tableStates(_ subscription: String) async throws -> (Int, Int) {
        let row = try await client.query(
            """
            SELECT count(*), count(*) FILTER (WHERE r.srsubstate IN ('r', 's'))
            FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid WHERE s.subname = \(subscription)
            """, logger: logger
        ).collect().first?.decode((Int, Int).self)
        return row ?? (0, 0)
    }

    /// What `nadi federation unsubscribe` did.
    package struct UnsubscribeOutcome: Sendable {
        package var region: RegionCode
        package var devicesRemoved: Int
        /// The replication slot left on an unreachable source (with `force`), to drop there.
        package var slotLeft: String?
    }

    /// Ends source `name`'s subscription and, unless `keepData`, removes what it mirrored (the
    /// source still has it). With `force`, a source that cannot be reached keeps its replication
    /// slot, which the outcome names so it can be dropped there.
    package func unsubscribe(name: String, keepData: Bool, force: Bool) async throws -> UnsubscribeOutcome {
        let subscription = Self.subscriptionName(name)
        guard
            let region = try await client.query("SELECT region::text FROM federation_mirror WHERE name = \(name)", logger: logger).collect()
                .first.flatMap({ RegionCode(try $0.decode(String.self)) })
        else { throw FederationRefused("no source '\(name)' here; nadi federation status lists them") }
        var slotLeft: String?
        let exists = try await !client.query("SELECT 1 FROM pg_subscription WHERE subname = \(subscription)", logger: logger).collect()
            .isEmpty
        if exists {
            do {
                try await client.withConnection { _ = try await $0.query("DROP SUBSCRIPTION \(unescaped: subscription)", logger: logger) }
            } catch  where force {
                slotLeft =
                    try await client.query("SELECT subslotname::text FROM pg_subscription WHERE subname = \(subscription)", logger: logger)
                    .collect().first?.decode(String?.self)
                try await client.withConnection { connection in
                    _ = try await connection.query("ALTER SUBSCRIPTION \(unescaped: subscription) DISABLE", logger: logger)
                    _ = try await connection.query("ALTER SUBSCRIPTION \(unescaped: subscription) SET (slot_name = NONE)", logger: logger)
                    _ = try await connection.query("DROP SUBSCRIPTION \(unescaped: subscription)", logger: logger)
                }
            } catch {
                throw FederationRefused(
                    "could not drop the subscription (\(PostgresErrorText.describe(error))); if the source is gone for good, add --force and drop the slot there later"
                )
            }
        }
        let code = region.rawValue
        let removed: Int = try await client.transaction(logger: logger) { connection in
            _ = try await connection.query("DELETE FROM federation_mirror WHERE name = \(name)", logger: logger)
            var removed = 0
            if !keepData {
                removed = try await connection.query("DELETE FROM device WHERE region <@ \(code)::ltree RETURNING id", logger: logger)
                    .collect().count
                _ = try await connection.query("DELETE FROM site WHERE region <@ \(code)::ltree", logger: logger)
                _ = try await connection.query("DELETE FROM target WHERE region <@ \(code)::ltree", logger: logger)
                _ = try await connection.query("DELETE FROM maintenance_window WHERE region <@ \(code)::ltree", logger: logger)
            }
            let left = try await connection.query("SELECT 1 FROM federation_mirror LIMIT 1", logger: logger).collect()
            if left.isEmpty {
                for table in ["device_state", "status_interval"] {
                    _ = try await connection.query(
                        "DROP TRIGGER IF EXISTS \(unescaped: table)_mirrored_guard ON \(unescaped: table)", logger: logger)
                }
            }
            return removed
        }
        return UnsubscribeOutcome(region: region, devicesRemoved: removed, slotLeft: slotLeft)
    }
}
