package import Foundation
package import NadiCore

/// Inventory files as `nadi sites import` and `nadi devices import` read them: parsed and validated
/// here, one record at a time with the rules of the HTTP API, so the CLI only reads the file and
/// reports.
package enum InventoryFiles {
    /// Sites from CSV (`code,kind,name,region,lat,lon[,level]`): each record with its index, and the
    /// file line of every record (for messages). Throws `ImportError` at the first bad row.
    package static func sites(csv data: Data) throws -> (records: [(index: Int, record: SiteRecord)], lines: [Int]) {
        let document = try CSVDocument(data: data)
        let column = try document.columns(required: ["code", "kind", "name", "region", "lat", "lon"], optional: ["level"])
        try document.requireRectangular()
        var records: [(index: Int, record: SiteRecord)] = []
        for (index, row) in document.records.enumerated() {
            func field(_ name: String) -> String { column[name].map { row.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            var coordinates: (Double?, Double?) = (nil, nil)
            if !field("lat").isEmpty || !field("lon").isEmpty {
                guard let lat = Double(field("lat")), let lon = Double(field("lon")) else {
                    throw ImportError(line: row.line, "lat and lon must be decimal degrees, or both empty")
                }
                coordinates = (lat, lon)
            }
            var attributes: [String: JSONValue] = [:]
            if !field("level").isEmpty { attributes["level"] = .string(field("level")) }
            let input = SiteInput(
                code: field("code"), kind: field("kind"), name: field("name"), region: field("region"), lat: coordinates.0,
                lon: coordinates.1, attributes: attributes)
            switch RecordValidation.site(input) {
            case .success(let record): records.append((index, record))
            case .failure(let problem): throw ImportError(line: row.line, problem.description)
            }
        }
        return (records, document.records.map(\.line))
    }

    /// Devices from a JSON array or NDJSON (as `POST /v1/inventory` takes them; a leading BOM is
    /// fine): the valid records with their indexes, and every problem as "record N: reason".
    package static func devices(_ data: Data) -> (records: [(index: Int, record: DeviceRecord)], problems: [String]) {
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        let decoded: [Result<DeviceInput, DecodeProblem>]
        if body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) == UInt8(ascii: "[") {
            do {
                decoded = try BatchDecoder.decodeArray(DeviceInput.self, Data(body))
            } catch {
                return ([], [error.description])
            }
        } else {
            decoded = BatchDecoder.decodeLines(DeviceInput.self, Data(body))
        }
        var records: [(index: Int, record: DeviceRecord)] = []
        var problems: [String] = []
        for (index, result) in decoded.enumerated() {
            switch result.flatMap(RecordValidation.device) {
            case .success(let record): records.append((index, record))
            case .failure(let problem): problems.append("record \(index): \(problem)")
            }
        }
        return (records, problems)
    }
}
