package import Foundation
package import Logging
import NadiCore
import PostgresNIO

/// What the ZKTeco PUSH intake needs from the database: attendance devices by serial number, and
/// the per-day count of attendance records (never their content).
package struct AttendanceStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The attendance device whose `attributes.serial` is `serial` (the oldest, if several claim it),
    /// unless it is decommissioned.
    package func device(serial: String) async throws -> DeviceInfo? {
        let rows = try await client.query(
            """
            SELECT id, external_id, region::text, interval_s FROM device
            WHERE kind = 'attendance' AND attributes ->> 'serial' = \(serial)
              AND NOT nadi_decommissioned_by(decommissioned_on, current_date)
              AND NOT EXISTS (SELECT 1 FROM federation_mirror m WHERE device.region <@ m.region)  -- its source's Nadi takes its logs
            ORDER BY id LIMIT 1
            """, logger: logger)
        for try await (id, externalID, region, interval) in rows.decode((Int64, String, String, Int).self) {
            guard let region = RegionCode(region) else { continue }
            return DeviceInfo(id: id, externalID: externalID, kind: .attendance, region: region, intervalSeconds: interval)
        }
        return nil
    }

    /// Adds the records not counted before (`keys`: `PIN<TAB>time`, of which only a SHA-256 with the
    /// device is kept) to the device's count for the UTC day of `at`; returns how many were new.
    /// Hashes older than `retentionDays` are forgotten.
    package func countUpload(deviceID: Int64, keys: [String], at: Date, retentionDays: Int) async throws -> Int {
        try await client.transaction(logger: logger) { connection in
            _ = try await connection.query(
                "DELETE FROM attendance_record_seen WHERE day < current_date - \(retentionDays)::int", logger: logger)
            var added = 0
            for try await count in try await connection.query(
                """
                WITH fresh AS (
                    INSERT INTO attendance_record_seen (device_id, hash, day)
                    SELECT DISTINCT \(deviceID)::bigint, sha256(convert_to(\(deviceID)::text || E'\\t' || k, 'UTF8')),
                           (\(PostgresTimestamp(at)) AT TIME ZONE 'UTC')::date
                    FROM unnest(\(keys)::text[]) AS k
                    ON CONFLICT (device_id, hash) DO NOTHING
                    RETURNING 1
                ), counted AS (
                    INSERT INTO attendance_upload (device_id, day, records, last_at)
                    SELECT \(deviceID), (\(PostgresTimestamp(at)) AT TIME ZONE 'UTC')::date, count(*), \(PostgresTimestamp(at))
                    FROM fresh HAVING count(*) > 0
                    ON CONFLICT (device_id, day) DO UPDATE SET records = attendance_upload.records + excluded.records,
                                                               last_at = GREATEST(attendance_upload.last_at, excluded.last_at)
                )
                SELECT count(*)::int8 FROM fresh
                """, logger: logger
            ).decode(Int64.self) { added = Int(count) }
            return added
        }
    }
}
