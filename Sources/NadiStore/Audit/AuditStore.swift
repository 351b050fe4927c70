import Crypto
package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Reads the audit trail (schema part 23) and checks its hash chain. The trail is written by the
/// database's own triggers in the transaction of each change; nothing here writes it.
package struct AuditStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The rows matching `filter`, newest first.
    package func events(_ filter: AuditFilter) async throws -> [AuditEvent] {
        let region = filter.region?.rawValue ?? ""
        var events: [AuditEvent] = []
        for try await row in try await client.query(
            """
            SELECT id, at, actor, address, request_id, action, object_type, object_id, region::text, before::text, after::text
            FROM audit_event
            WHERE (\(region) = '' OR region <@ nullif(\(region), '')::ltree)
              AND (\(filter.objectType)::text IS NULL OR object_type = \(filter.objectType))
              AND (\(filter.objectID)::text IS NULL OR object_id = \(filter.objectID))
              AND (\(filter.actor)::text IS NULL OR actor = \(filter.actor) OR actor LIKE '%:' || \(filter.actor))
              AND (\(filter.since?.pg)::timestamptz IS NULL OR at >= \(filter.since?.pg))
              AND (\(filter.until?.pg)::timestamptz IS NULL OR at < \(filter.until?.pg))
              AND (\(filter.beforeID)::int8 IS NULL OR id < \(filter.beforeID))
            ORDER BY id DESC LIMIT \(max(1, min(filter.limit, 10_000)))
            """, logger: logger
        ).decode((Int64, PostgresTimestamp, String, String?, String, String, String, String, String?, String?, String?).self) {
            events.append(
                AuditEvent(
                    id: row.0, at: row.1.date, actor: row.2, address: row.3, requestID: row.4, action: row.5, objectType: row.6,
                    objectID: row.7, region: row.8, before: Self.json(row.9), after: Self.json(row.10)))
        }
        return events
    }

    private static func json(_ text: String?) -> JSONValue? {
        text.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    /// What walking the chain found.
    package struct Verification: Sendable, Equatable {
        /// Rows checked.
        package var rows: Int
        /// The first row whose hash does not follow from its content and the row before (or whose
        /// id breaks the sequence), with why; nil when the whole chain holds.
        package var firstBroken: (id: Int64, reason: String)?
        /// The hash of the newest row (hex): write it down elsewhere to detect a rewritten tail later.
        package var head: String?
        /// Where the chain was checked from when it was pruned: the first row kept, and when.
        package var prunedBefore: (firstID: Int64, at: Date)? = nil

        package static func == (lhs: Verification, rhs: Verification) -> Bool {
            lhs.rows == rhs.rows && lhs.firstBroken?.id == rhs.firstBroken?.id && lhs.head == rhs.head
        }
    }

    /// How many changes each actor made in the last hour (the `/metrics` gauge behind the Grafana
    /// panel "Audit events per hour by actor").
    package func lastHourByActor() async throws -> [(actor: String, count: Int)] {
        var rows: [(actor: String, count: Int)] = []
        for try await (actor, count) in try await client.query(
            "SELECT actor, count(*)::int8 FROM audit_event WHERE at > now() - interval '1 hour' GROUP BY actor", logger: logger
        ).decode((String, Int64).self) { rows.append((actor, Int(count))) }
        return rows
    }

    /// Walks the chain in order: each row's hash must be SHA-256(previous hash ‖ its canonical
    /// content), ids must follow one another.
    /// After a pruning, the walk starts at the anchor's first row with the hash it recorded.
    /// Whether the trail's guard (schema part 27's event triggers) is installed and on.
    package func guardInstalled() async throws -> Bool {
        let rows = try await client.query(
            "SELECT count(*)::int8 FROM pg_event_trigger WHERE evtname LIKE 'nadi_audit_guard_%' AND evtenabled <> 'D'", logger: logger
        ).collect()
        return try (rows.first?.decode(Int64.self) ?? 0) == 2
    }

    /// What to tell an operator whose database has no guard on its trail.
    package static let guardMissing =
        "note: the audit trail's guard is not installed (it needs a PostgreSQL superuser), so the tables' owner can drop or alter the trail; as a superuser run: SELECT nadi_audit_install_guard();"

    package func verify() async throws -> Verification {
        let anchor = try await anchor()
        var previous = anchor?.previous ?? Data()
        var expectedID: Int64 = anchor?.firstID ?? 1
        var rows = 0
        var lastHex: String?
        for try await (id, content, stored) in try await client.query(
            """
            SELECT id, nadi_audit_content(id, at, actor, address, request_id, action, object_type, object_id, region, before, after), hash
            FROM audit_event WHERE id >= \(expectedID) ORDER BY id
            """, logger: logger
        ).decode((Int64, String, ByteBuffer).self) {
            rows += 1
            var input = previous
            input.append(Data(content.utf8))
            let computed = Data(SHA256.hash(data: input))
            let storedBytes = Data(stored.readableBytesView)
            if id != expectedID {
                return Verification(
                    rows: rows, firstBroken: (id, "row \(expectedID) is missing: the row after \(expectedID - 1) is \(id)"), head: nil,
                    prunedBefore: anchor.map { ($0.firstID, $0.at) })
            }
            guard computed == storedBytes else {
                return Verification(
                    rows: rows,
                    firstBroken: (id, "its hash does not match its content and the row before: it was changed after it was written"),
                    head: nil, prunedBefore: anchor.map { ($0.firstID, $0.at) })
            }
            previous = computed
            expectedID += 1
            lastHex = computed.map { String(format: "%02x", $0) }.joined()
        }
        return Verification(rows: rows, firstBroken: nil, head: lastHex, prunedBefore: anchor.map { ($0.firstID, $0.at) })
    }
}
