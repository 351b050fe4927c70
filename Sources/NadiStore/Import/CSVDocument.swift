import CSV
package import Foundation

/// A CSV file read whole, with the physical line number of every record, so errors can say
/// "line 7: …". Accepts a UTF-8 byte-order mark and CRLF line ends; rejects invalid UTF-8.
package struct CSVDocument: Sendable {
    /// One record and the line it starts on (the header is line 1).
    package struct Record: Sendable {
        package var line: Int
        package var fields: [String]
    }

    package var header: [String]
    package var records: [Record]

    /// Parses `data`; throws an `ImportError` naming the line for malformed input.
    package init(data: Data) throws {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = Self.firstInvalidUTF8Offset(bytes)
            throw ImportError(line: Self.lineNumber(ofByteOffset: offset, in: bytes), "the file is not valid UTF-8")
        }
        if text.contains("\u{0}") {
            throw ImportError(line: nil, "the file contains NUL bytes; is it really CSV?")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ImportError(line: 1, "cannot read the header: \(error)")
        }
        guard let header = reader.headerRow, !(header.count == 1 && header[0].isEmpty) else {
            throw ImportError(line: 1, "the file is empty; expected a header row")
        }
        self.header = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var records: [Record] = []
        var line = 2
        while let fields = reader.next() {
            let embeddedBreaks = fields.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == "\n" || $1 == "\r\n" ? 1 : 0) } }
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                records.append(Record(line: line, fields: fields))
            }
            line += 1 + embeddedBreaks
        }
        if let error = reader.error {
            throw ImportError(line: line, "malformed CSV: \(error)")
        }
        self.records = records
    }

    /// The index of each named column; throws when a required one is missing or a column is unknown.
    package func columns(required: [String], optional: [String] = []) throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            guard required.contains(name) || optional.contains(name) else {
                throw ImportError(
                    line: 1,
                    "unknown column '\(name)'; expected \((required + optional.map { "[\($0)]" }).joined(separator: ","))")
            }
            if index[name] != nil { throw ImportError(line: 1, "column '\(name)' appears twice") }
            index[name] = position
        }
        if let missing = required.first(where: { index[$0] == nil }) {
            throw ImportError(line: 1, "missing column '\(missing)'; expected \(required.joined(separator: ","))")
        }
        return index
    }

    /// Checks every record has as many fields as the header.
    package func requireRectangular() throws {
        for record in records where record.fields.count != header.count {
            throw ImportError(
                line: record.line, "expected \(header.count) columns, found \(record.fields.count)")
        }
    }

    private static func firstInvalidUTF8Offset(_ bytes: Data) -> Int {
        var offset = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += String(scalar).utf8.count
            case .emptyInput:
                return offset
            case .error:
                return offset
            }
        }
    }

    private static func lineNumber(ofByteOffset offset: Int, in bytes: Data) -> Int {
        1 + bytes.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}

/// An import that failed, with the line (when known) and the reason. Nothing of the file was stored.
package struct ImportError: Error, CustomStringConvertible {
    package var line: Int?
    package var reason: String

    package init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    package var description: String {
        if let line { return "line \(line): \(reason)" }
        return reason
    }
}
