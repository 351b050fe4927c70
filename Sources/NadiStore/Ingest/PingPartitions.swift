import Foundation
import Logging
import PostgresNIO

/// The daily partitions of `ping`: created before a batch needs them, a few days ahead, and dropped
/// past the retention (by one instance at a time).
struct PingPartitions: Sendable {
    let client: DatabaseClient
    let retentionDays: Int
    let logger: Logger

    /// The UTC days (since 1970) `rows` fall on.
    static func days(of rows: [ResolvedPing]) -> Set<Int64> {
        Set(rows.map { $0.observedMicros >= 0 ? $0.observedMicros / 86_400_000_000 : ($0.observedMicros + 1) / 86_400_000_000 - 1 })
    }

    /// Creates the partition of `day` (days since 1970, UTC) if it is missing.
    func ensure(day: Int64) async throws {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        _ = try await client.query("SELECT nadi_ensure_ping_partition((\(date.pg) AT TIME ZONE 'UTC')::date)", logger: logger)
    }

    /// Creates partitions for yesterday to three days ahead and drops those past the retention;
    /// returns the days that exist now (of those it knows).
    func maintain(today: Date) async throws -> ClosedRange<Int64> {
        let day = Int64(floor(today.timeIntervalSince1970 / 86_400))
        for offset in -1...3 { try await ensure(day: day + Int64(offset)) }
        let oldest = day - Int64(retentionDays)
        let cutoff = Date(timeIntervalSince1970: Double(oldest) * 86_400)
        let dropped = try await client.transaction(logger: logger) { connection -> Int in
            guard try await MaintenanceLock.tryTake(on: connection, logger: logger) else { return 0 }
            var dropped = 0
            for try await count in try await connection.query(
                "SELECT nadi_drop_ping_partitions_before((\(cutoff.pg) AT TIME ZONE 'UTC')::date)", logger: logger
            ).decode(Int.self) { dropped = count }
            return dropped
        }
        if dropped > 0 { logger.info("old ping partitions dropped", metadata: ["partitions.dropped": "\(dropped)"]) }
        return oldest...(day + 3)
    }
}
