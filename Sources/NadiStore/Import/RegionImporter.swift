import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// A region row ready to store.
package struct RegionRow: Sendable, Equatable {
    package var code: RegionCode
    package var name: String
    package var type: String
    package var lat: Double?
    package var lon: Double?
    /// The line of the file it came from.
    package var line: Int
}

/// Counts of an import, by level.
package struct RegionImportSummary: Sendable, Equatable {
    package var byLevel: [RegionLevel: Int] = [:]
    package var inserted = 0
    package var updated = 0
}

/// Loads Kemendagri regions: `code,parent_code,level,name,type[,lat,lon]`. All or nothing.
package struct RegionImporter: Sendable {
    static let types: [RegionLevel: Set<String>] = [
        .province: ["provinsi"], .regency: ["kabupaten", "kota"], .district: ["kecamatan"], .village: ["desa", "kelurahan"],
    ]

    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The builtin regions of Indonesia (shipped from `shared/data`), with centre points.
    package static func builtinRows() throws -> [RegionRow] {
        let regions = try CSVDocument(data: Data(contentsOf: ResourceLocator.dataFile("id-regions.csv")))
        let centroids = try CSVDocument(data: Data(contentsOf: ResourceLocator.dataFile("id-regions-centroids.csv")))
        var points: [String: (Double, Double)] = [:]
        for record in centroids.records where record.fields.count == 3 {
            if let lat = Double(record.fields[1]), let lon = Double(record.fields[2]) {
                points[record.fields[0]] = (lat, lon)
            }
        }
        return try parse(regions, centroids: points)
    }

    /// Validates a regions file: code format, level and type matching the code, the parent column
    /// matching the code, no duplicates. Parents outside the file are checked against the database
    /// on import.
    package static func parse(_ document: CSVDocument, centroids: [String: (Double, Double)] = [:]) throws -> [RegionRow] {
        let column = try document.columns(
            required: ["code", "parent_code", "level", "name", "type"], optional: ["lat", "lon"])
        try document.requireRectangular()
        var seen: [String: Int] = [:]
        var rows: [RegionRow] = []
        rows.reserveCapacity(document.records.count)
        for record in document.records {
            func field(_ name: String) -> String {
                column[name].map { record.fields[$0].trimmingCharacters(in: .whitespaces) } ?? ""
            }
            let line = record.line
            let rawCode = field("code")
            guard let code = RegionCode(rawCode) else {
                throw ImportError(line: line, "malformed region code '\(rawCode)'; expected \(RegionCode.formatHelp)")
            }
            if let first = seen[code.rawValue] {
                throw ImportError(line: line, "duplicate region code \(code) (first on line \(first))")
            }
            seen[code.rawValue] = line
            guard let level = RegionLevel(rawValue: field("level")) else {
                throw ImportError(
                    line: line,
                    "unknown level '\(field("level"))'; expected \(RegionLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard level == code.level else {
                throw ImportError(line: line, "code \(code) is a \(code.level.rawValue) code but the level says \(level.rawValue)")
            }
            let parent = field("parent_code")
            guard parent == (code.parent?.rawValue ?? "") else {
                throw ImportError(
                    line: line, "parent_code '\(parent)' does not match code \(code) (expected '\(code.parent?.rawValue ?? "")')")
            }
            let name = field("name")
            guard !name.isEmpty, name.count <= 200 else {
                throw ImportError(line: line, "name must be 1–200 characters")
            }
            let type = field("type").lowercased()
            guard types[level]?.contains(type) == true else {
                throw ImportError(
                    line: line,
                    "type '\(type)' does not fit a \(level.rawValue); expected \(types[level]?.sorted().joined(separator: " or ") ?? "")")
            }
            var lat: Double? = centroids[code.rawValue]?.0
            var lon: Double? = centroids[code.rawValue]?.1
            if column["lat"] != nil, !field("lat").isEmpty || !field("lon").isEmpty {
                guard let la = Double(field("lat")), let lo = Double(field("lon")), (-90...90).contains(la),
                    (-180...180).contains(lo)
                else { throw ImportError(line: line, "lat/lon must be decimal degrees (lat −90…90, lon −180…180)") }
                lat = la
                lon = lo
            }
            rows.append(RegionRow(code: code, name: name, type: type, lat: lat, lon: lon, line: line))
        }
        // A parent that appears later in the file is fine; store parents first.
        rows.sort { ($0.code.level, $0.line) < ($1.code.level, $1.line) }
        return rows
    }

    /// Stores `rows` in one transaction (insert or update by code); returns counts.
    package func importRows(_ rows: [RegionRow]) async throws -> RegionImportSummary {
        let inFile = Set(rows.map(\.code.rawValue))
        let outside = Array(Set(rows.compactMap(\.code.parent?.rawValue).filter { !inFile.contains($0) }))
        return try await client.transaction(logger: logger) { connection in
            if !outside.isEmpty {
                var present = Set<String>()
                let rows = try await connection.query(
                    "SELECT code::text FROM region WHERE code = ANY(\(outside)::ltree[])", logger: logger)
                for try await code in rows.decode(String.self) { present.insert(code) }
                if let orphan = firstOrphan(present: present) {
                    throw ImportError(line: orphan.line, "parent region \(orphan.code.parent?.rawValue ?? "") does not exist")
                }
            }
            var summary = RegionImportSummary()
            for row in rows { summary.byLevel[row.code.level, default: 0] += 1 }
            let result = try await connection.query(
                """
                INSERT INTO region (code, parent, level, name, type, lat, lon)
                SELECT c::ltree, CASE WHEN nlevel(c::ltree) > 1 THEN subpath(c::ltree, 0, nlevel(c::ltree) - 1) END,
                       CASE nlevel(c::ltree) WHEN 1 THEN 'province' WHEN 2 THEN 'regency' WHEN 3 THEN 'district' ELSE 'village' END,
                       n, t, la, lo
                FROM unnest(\(rows.map(\.code.rawValue))::text[], \(rows.map(\.name))::text[], \(rows.map(\.type))::text[],
                            \(NullableArray(rows.map(\.lat)))::float8[], \(NullableArray(rows.map(\.lon)))::float8[])
                     WITH ORDINALITY AS v(c, n, t, la, lo, ord)
                -- A mirrored region's subtree is its federation source's to write (replication brings it).
                WHERE NOT EXISTS (SELECT 1 FROM federation_mirror m WHERE c::ltree <@ m.region)
                ORDER BY ord
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type,
                    lat = coalesce(excluded.lat, region.lat), lon = coalesce(excluded.lon, region.lon)
                RETURNING (xmax = 0)
                """, logger: logger)
            for try await inserted in result.decode(Bool.self) {
                if inserted { summary.inserted += 1 } else { summary.updated += 1 }
            }
            return summary
        }
        func firstOrphan(present: Set<String>) -> RegionRow? {
            rows.first { row in
                guard let parent = row.code.parent?.rawValue else { return false }
                return !inFile.contains(parent) && !present.contains(parent)
            }
        }
    }
}
