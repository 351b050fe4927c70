import Crypto
package import Foundation
import Logging
import NadiCore
import PostgresNIO

/// What `nadi audit prune` did.
package struct AuditPruning: Sendable, Equatable {
    /// The monthly partitions dropped (`audit_event_y2024m01`, …), oldest first.
    package var partitions: [String]
    /// Rows dropped with them.
    package var rows: Int
    /// The first row kept: `nadi audit verify` walks the chain from it.
    package var firstKept: Int64?
    /// Rows older than this are gone.
    package var before: Date
}

/// A pruning that cannot be done, with the reason.
package struct AuditPruningRefused: Error, Sendable, CustomStringConvertible {
    package let description: String
}

extension AuditStore {
    /// The fewest months `prune` keeps: the BPK audits a whole fiscal year, and the Inspektorat the
    /// one before.
    package static let minimumRetainMonths = 24

    /// Drops the monthly partitions that end before the start of this month less `months` (UTC
    /// months, as the partitions are cut), after writing the anchor `verify` starts from. Under the
    /// trail's lock, so no change is recorded meanwhile. The anchor's insert is itself in the trail.
    package func prune(retainMonths months: Int) async throws -> AuditPruning {
        guard months >= Self.minimumRetainMonths else {
            throw AuditPruningRefused(description: "--retain must be at least \(Self.minimumRetainMonths) months")
        }
        return try await client.transaction(logger: logger) { connection -> AuditPruning in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(7016230)", logger: logger)
            var cutoff = Date()
            for try await value in try await connection.query(
                "SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => \(Int32(months)))) AT TIME ZONE 'UTC'",
                logger: logger
            ).decode(PostgresTimestamp.self) { cutoff = value.date }
            var old: [(name: String, end: Date)] = []
            for try await (name, bound) in try await connection.query(
                """
                SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid)
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'audit_event'::regclass ORDER BY c.relname
                """, logger: logger
            ).decode((String, String).self) {
                guard let end = Self.upperBound(bound), end <= cutoff else { continue }
                old.append((name, end))
            }
            guard !old.isEmpty else { return AuditPruning(partitions: [], rows: 0, firstKept: nil, before: cutoff) }
            var dropped = 0
            var lastID: Int64 = 0
            for try await (count, last) in try await connection.query(
                "SELECT count(*)::int8, coalesce(max(id), 0)::int8 FROM audit_event WHERE at < \(cutoff.pg)", logger: logger
            ).decode((Int64, Int64).self) {
                dropped = Int(count)
                lastID = last
            }
            var firstKept: Int64?
            for try await value in try await connection.query(
                "SELECT min(id) FROM audit_event WHERE at >= \(cutoff.pg)", logger: logger
            ).decode(Int64?.self) { firstKept = value }
            if let firstKept, firstKept <= lastID {
                throw AuditPruningRefused(
                    description:
                        "row \(firstKept) is kept but is older in the chain than row \(lastID), which would be dropped; nothing pruned")
            }
            var previous = ByteBuffer()
            for try await hash in try await connection.query(
                "SELECT hash FROM audit_event WHERE id = \(lastID) AND at < \(cutoff.pg)", logger: logger
            ).decode(ByteBuffer.self) { previous = hash }
            // The anchor, and with it its own row in the trail (after every kept row so far).
            _ = try await connection.query(
                """
                INSERT INTO audit_anchor (first_id, previous, dropped, partitions, before_time)
                VALUES (\(lastID + 1), \(previous), \(Int64(dropped)), \(old.map(\.name)), \(cutoff.pg))
                """, logger: logger)
            for partition in old {
                let name = partition.name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
                _ = try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE audit_event DETACH PARTITION \(name)"), logger: logger)
                _ = try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
            }
            return AuditPruning(partitions: old.map(\.name), rows: dropped, firstKept: firstKept ?? lastID + 1, before: cutoff)
        }
    }

    /// Where the newest pruning left the chain: its first row and the hash before it.
    func anchor() async throws -> (firstID: Int64, previous: Data, at: Date)? {
        for try await (first, previous, at) in try await client.query(
            "SELECT first_id, previous, created_at FROM audit_anchor ORDER BY id DESC LIMIT 1", logger: logger
        ).decode((Int64, ByteBuffer, PostgresTimestamp).self) { return (first, Data(previous.readableBytesView), at.date) }
        return nil
    }

    /// The end of a partition's range, from `FOR VALUES FROM ('…') TO ('…')`.
    static func upperBound(_ bound: String) -> Date? {
        guard let to = bound.range(of: "TO ('") else { return nil }
        let rest = bound[to.upperBound...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        let text = String(rest[..<close])
        // PostgreSQL prints timestamptz bounds in the session's zone: `2024-02-01 00:00:00+00`.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["yyyy-MM-dd HH:mm:ssX", "yyyy-MM-dd HH:mm:ssXXX", "yyyy-MM-dd HH:mm:ss.SSSX"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
