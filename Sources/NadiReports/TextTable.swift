import Foundation

/// Aligned plain-text tables for people.
package enum TextTable {
    /// Renders `rows` under `header`, columns padded to their widest cell; the columns in
    /// `rightAligned` (numbers) are right-aligned. `colour` wraps a cell in ANSI colour.
    package static func render(
        header: [String], rows: [[String]], rightAligned: Set<Int> = [], colour: ((_ column: Int, _ cell: String) -> String?)? = nil
    ) -> String {
        let rows = rows.map { $0.map(visible) }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], isHeader: Bool) -> String {
            cells.enumerated().map { index, cell in
                let width = index < widths.count ? widths[index] : cell.count
                let padding = String(repeating: " ", count: max(0, width - cell.count))
                var text = rightAligned.contains(index) && !isHeader ? padding + cell : cell + padding
                if !isHeader, let code = colour?(index, cell) { text = "\u{1B}[\(code)m\(text)\u{1B}[0m" }
                return text
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(header, isHeader: true)] + rows.map { line($0, isHeader: false) }).joined(separator: "\n")
    }
}

extension TextTable {
    /// `text` with control characters (which could move the cursor or recolour a terminal) shown as
    /// `\u{1b}`-style escapes.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
