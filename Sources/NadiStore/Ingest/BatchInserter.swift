import Foundation
import Logging
import NIOCore
import NadiCore
import PostgresNIO

/// Writes a batch's rows inside the writer's transaction: pings by COPY (falling back to
/// `ON CONFLICT DO NOTHING` when the batch collides with stored pings) and sightings merged per id.
enum BatchInserter {
    /// Most rows `unregistered_sighting` grows to: ops adopt or ignore sightings; past this, new ids are
    /// not recorded (known ones still count up).
    static let maxSightings = 10_000

    struct PingKey: Hashable {
        var device: Int64
        var micros: Int64
    }

    /// Stores `rows`: one COPY when nothing collides; `ON CONFLICT DO NOTHING` when something does.
    /// Returns, per row, whether it was stored (false: it was already there).
    static func insert(_ rows: [ResolvedPing], on connection: PostgresConnection, logger: Logger) async throws -> [Bool] {
        guard !rows.isEmpty else { return [] }
        _ = try await connection.query("SAVEPOINT nadi_copy", logger: logger)
        do {
            // Encoded whole first, then sent in one write on the connection's event loop (GuardedCopy).
            var data = ByteBuffer()
            data.reserveCapacity(rows.count * 96)
            for row in rows { CopyText.append(row, to: &data) }
            try await GuardedCopy.copy(
                data, into: "ping", columns: ["device_id", "observed_at", "status", "latency_ms", "reason", "metrics"],
                on: connection, logger: logger)
            _ = try await connection.query("RELEASE SAVEPOINT nadi_copy", logger: logger)
            return Array(repeating: true, count: rows.count)
        } catch  where PostgresErrorText.code(error) == .uniqueViolation {
            _ = try await connection.query("ROLLBACK TO SAVEPOINT nadi_copy", logger: logger)
        }
        let result = try await connection.collectedRows(
            """
            INSERT INTO ping (device_id, observed_at, status, latency_ms, reason, metrics)
            SELECT * FROM unnest(\(rows.map(\.deviceID))::bigint[],
                                 \(rows.map { PostgresTimestamp(microseconds: $0.observedMicros) })::timestamptz[],
                                 \(rows.map(\.status.rawValue))::text[], \(NullableArray(rows.map { $0.latencyMs.map(Float.init) }))::real[],
                                 \(NullableArray(rows.map(\.reason)))::text[], \(NullableArray(rows.map(\.metricsJSON)))::text[]::jsonb[])
            ON CONFLICT (device_id, observed_at) DO NOTHING
            RETURNING device_id, observed_at
            """, logger: logger)
        var stored = Set<PingKey>()
        for row in result {
            let (id, at) = try row.decode((Int64, PostgresTimestamp).self)
            stored.insert(PingKey(device: id, micros: at.microseconds))
        }
        return rows.map { stored.contains(PingKey(device: $0.deviceID, micros: $0.observedMicros)) }
    }

    static func recordSightings(_ sightings: [Sighting], on connection: PostgresConnection, logger: Logger) async throws {
        guard !sightings.isEmpty else { return }
        var merged: [String: (source: String, first: Date, last: Date, count: Int)] = [:]
        for sighting in sightings {
            let key = sighting.source + "\u{0}" + sighting.externalID
            if var entry = merged[key] {
                entry.first = min(entry.first, sighting.at)
                entry.last = max(entry.last, sighting.at)
                entry.count += 1
                merged[key] = entry
            } else {
                merged[key] = (sighting.source, sighting.at, sighting.at, 1)
            }
        }
        let keys = Array(merged.keys)
        let values = keys.compactMap { merged[$0] }
        let ids = keys.map { String($0.split(separator: "\u{0}", maxSplits: 1).last ?? "") }
        let sources = values.map(\.source)
        let firsts = values.map(\.first.pg)
        let lasts = values.map(\.last.pg)
        let counts = values.map { Int64($0.count) }
        // Sightings nobody adopted or saw again for 30 days are forgotten, so the cap keeps room for new ones.
        _ = try await connection.query(
            "DELETE FROM unregistered_sighting WHERE last_seen < now() - interval '30 days'", logger: logger)
        // Known ids count up; new ones are added only while the table holds fewer than `maxSightings` rows.
        _ = try await connection.query(
            """
            UPDATE unregistered_sighting u SET first_seen = LEAST(u.first_seen, v.f), last_seen = GREATEST(u.last_seen, v.l),
                count = u.count + v.c
            FROM unnest(\(ids)::text[], \(sources)::text[], \(firsts)::timestamptz[], \(lasts)::timestamptz[], \(counts)::bigint[])
                 AS v(e, s, f, l, c)
            WHERE u.external_id = v.e AND u.source = v.s
            """, logger: logger)
        _ = try await connection.query(
            """
            INSERT INTO unregistered_sighting (external_id, source, first_seen, last_seen, count)
            SELECT v.e, v.s, v.f, v.l, v.c
            FROM unnest(\(ids)::text[], \(sources)::text[], \(firsts)::timestamptz[], \(lasts)::timestamptz[], \(counts)::bigint[])
                 AS v(e, s, f, l, c)
            WHERE NOT EXISTS (SELECT 1 FROM unregistered_sighting u WHERE u.external_id = v.e AND u.source = v.s)
            LIMIT greatest(0, \(Self.maxSightings) - (SELECT count(*) FROM unregistered_sighting))
            ON CONFLICT (external_id, source) DO NOTHING
            """, logger: logger)
    }

}
