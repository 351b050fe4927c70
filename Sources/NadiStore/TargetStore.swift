package import Logging
package import NadiCore
import PostgresNIO

/// A masterplan milestone row.
package struct TargetRecord: Sendable, Equatable {
    package var region: RegionCode
    package var kind: DeviceKind
    package var metric: TargetMetric
    package var year: Int
    package var value: Double
    package var source: String?
    /// The line of the file it came from (0 when not from a file).
    package var line: Int

    package init(region: RegionCode, kind: DeviceKind, metric: TargetMetric, year: Int, value: Double, source: String? = nil, line: Int = 0)
    {
        self.region = region
        self.kind = kind
        self.metric = metric
        self.year = year
        self.value = value
        self.source = source
        self.line = line
    }

    /// Checks the kind/metric pair, the year and the value; returns the reason when invalid.
    package var problem: String? {
        guard kind.allowedMetrics.contains(metric) else {
            return
                "metric \(metric.rawValue) does not apply to \(kind.rawValue); allowed: \(kind.allowedMetrics.map(\.rawValue).joined(separator: ", "))"
        }
        guard (2015...2045).contains(year) else { return "year \(year) is outside 2015–2045" }
        guard value.isFinite, value >= 0 else { return "value must be a number ≥ 0" }
        // Sums of targets over thousands of regions must stay finite.
        guard value <= 1e9 else { return "value must be at most 1,000,000,000" }
        if metric == .schoolsPct, value > 100 { return "schools_pct is a percentage: at most 100" }
        return nil
    }
}

/// Masterplan milestones.
package struct TargetStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Upserts all `targets` in one transaction; a bad row (unknown region) fails the whole import.
    package func upsert(_ targets: [TargetRecord]) async throws -> Int {
        for target in targets {
            if let problem = target.problem { throw ImportError(line: target.line == 0 ? nil : target.line, problem) }
        }
        guard !targets.isEmpty else { return 0 }
        return try await client.transaction(logger: logger) { connection in
            var present = Set<String>()
            for try await code in try await connection.query(
                "SELECT code::text FROM region WHERE code = ANY(\(Array(Set(targets.map(\.region.rawValue))))::ltree[])", logger: logger
            ).decode(String.self) { present.insert(code) }
            if let missing = targets.first(where: { !present.contains($0.region.rawValue) }) {
                throw ImportError(line: missing.line == 0 ? nil : missing.line, "region \(missing.region) does not exist")
            }
            _ = try await connection.query(
                """
                INSERT INTO target (region, kind, metric, year, value, source)
                SELECT r::ltree, k, m, y, v, s FROM unnest(\(targets.map(\.region.rawValue)), \(targets.map(\.kind.rawValue)),
                    \(targets.map(\.metric.rawValue)), \(targets.map(\.year)), \(targets.map(\.value)), \(NullableArray(targets.map(\.source))))
                    AS t(r, k, m, y, v, s)
                ON CONFLICT (region, kind, metric, year) DO UPDATE SET value = excluded.value, source = excluded.source
                """, logger: logger)
            return targets.count
        }
    }

    /// A stored milestone with its region's name.
    package struct Listed: Sendable {
        package var region: String
        package var regionName: String
        package var kind: String
        package var metric: String
        package var year: Int
        package var value: Double
        package var source: String?
    }

    /// The milestones of regions under `region` (all when nil), by region, kind, metric and year.
    package func list(under region: RegionCode?) async throws -> [Listed] {
        let code = region?.rawValue ?? ""
        var rows: [Listed] = []
        for try await (region, name, kind, metric, year, value, source) in try await client.query(
            """
            SELECT t.region::text, r.name, t.kind, t.metric, t.year, t.value, t.source FROM target t JOIN region r ON r.code = t.region
            WHERE \(code) = '' OR t.region <@ nullif(\(code), '')::ltree ORDER BY 1, 3, 4, 5
            """, logger: logger
        ).decode((String, String, String, String, Int, Double, String?).self) {
            rows.append(Listed(region: region, regionName: name, kind: kind, metric: metric, year: year, value: value, source: source))
        }
        return rows
    }
}
