package import Foundation

/// RFC 4180 CSV text (fields with commas, quotes or line breaks are quoted; quotes doubled).
package enum CSVText {
    package static func render(header: [String], rows: [[String]]) -> String {
        var out = ""
        for row in [header] + rows {
            out += row.map(quote).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// A field a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`, or a leading tab or
    /// carriage return) gets a leading `'`, so a device name like `=HYPERLINK(…)` stays text.
    /// Numbers (`-2.97`) are left as they are.
    static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(field) == nil else { return field }
        return "'" + field
    }

    static func quote(_ raw: String) -> String {
        let field = neutralised(raw)
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix(" ") || field.hasSuffix(" ")
        else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// ANSI colours for states and statuses.
package enum StatusColour {
    /// The SGR code for a status word, or nil to leave it plain.
    package static func code(_ status: String) -> String? {
        switch status {
        case "up", "met": "32"
        case "degraded", "behind": "33"
        case "down": "31"
        case "unknown", "no_target": "2"
        default: nil
        }
    }
}

extension JSONEncoder {
    /// Stable, readable JSON for reports.
    package static var report: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
