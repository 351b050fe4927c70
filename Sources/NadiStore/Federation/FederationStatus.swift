import Foundation
package import Logging
import PostgresNIO

/// One source a subscriber mirrors, as `nadi federation status` shows it.
package struct MirrorStatus: Sendable, Equatable {
    package var name: String
    package var region: String
    package var source: String
    /// False when the PostgreSQL subscription is missing (dropped by hand) or disabled.
    package var enabled: Bool
    /// True while an apply worker runs (the source is reachable and streaming).
    package var streaming: Bool
    package var tables: Int
    package var tablesReady: Int
    /// Seconds since the last message from the source (its changes or its keepalives): the lag
    /// as the subscriber sees it. Nil before the first.
    package var lastMessageSeconds: Double?
    /// The source's WAL position applied here.
    package var receivedLSN: String?
    package var applyErrors: Int
    package var syncErrors: Int
    package var devices: Int
}

/// One subscriber of this database's publication, as the publisher sees it.
package struct PublicationSubscriber: Sendable, Equatable {
    package var slot: String
    package var active: Bool
    /// Bytes of this server's WAL the subscriber has not confirmed yet: the lag as the source sees it.
    package var lagBytes: Int64?
}

/// Both sides of a database's federation.
package struct FederationStatusReport: Sendable {
    package var published: FederationOriginRow?
    package var subscribers: [PublicationSubscriber]
    package var mirrors: [MirrorStatus]
}

/// The region a database publishes, with its origin number.
package struct FederationOriginRow: Sendable, Equatable {
    package var region: String
    package var origin: Int64
    package var devices: Int
}

/// Reads the federation's state from PostgreSQL's own views (pg_stat_subscription,
/// pg_subscription_rel, pg_stat_subscription_stats, pg_replication_slots).
package struct FederationStatusQuery: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    package func report() async throws -> FederationStatusReport {
        var published: FederationOriginRow?
        for try await (region, origin, devices) in try await client.query(
            "SELECT o.region::text, o.origin::int8, (SELECT count(*) FROM device) FROM federation_origin o", logger: logger
        ).decode((String, Int64, Int).self) { published = FederationOriginRow(region: region, origin: origin, devices: devices) }
        var subscribers: [PublicationSubscriber] = []
        if published != nil {
            // A standby has no current WAL position of its own to measure against.
            for try await (slot, active, lag) in try await client.query(
                """
                SELECT slot_name::text, active,
                       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8 END
                FROM pg_replication_slots WHERE slot_type = 'logical' AND slot_name LIKE 'nadi\\_fed\\_%' ORDER BY slot_name
                """, logger: logger
            ).decode((String, Bool, Int64?).self) { subscribers.append(PublicationSubscriber(slot: slot, active: active, lagBytes: lag)) }
        }
        var mirrors: [MirrorStatus] = []
        let rows = try await client.query(
            """
            SELECT m.name, m.region::text, m.source, coalesce(s.subenabled, false), st.pid IS NOT NULL,
                   (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid),
                   (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate IN ('r', 's')),
                   extract(epoch FROM now() - st.last_msg_receipt_time)::float8, st.received_lsn::text,
                   coalesce(ss.apply_error_count, 0), coalesce(ss.sync_error_count, 0),
                   (SELECT count(*) FROM device d WHERE d.region <@ m.region)
            FROM federation_mirror m
            LEFT JOIN pg_subscription s ON s.subname = 'nadi_fed_' || m.name
            LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
            LEFT JOIN pg_stat_subscription_stats ss ON ss.subid = s.oid
            ORDER BY m.name
            """, logger: logger)
        for try await row in rows.decode((String, String, String, Bool, Bool, Int, Int, Double?, String?, Int, Int, Int).self) {
            mirrors.append(
                MirrorStatus(
                    name: row.0, region: row.1, source: row.2, enabled: row.3, streaming: row.4, tables: row.5, tablesReady: row.6,
                    lastMessageSeconds: row.7, receivedLSN: row.8, applyErrors: row.9, syncErrors: row.10, devices: row.11))
        }
        return FederationStatusReport(published: published, subscribers: subscribers, mirrors: mirrors)
    }
}
