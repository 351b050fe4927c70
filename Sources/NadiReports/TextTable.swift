import Foundation

/// Aligned plain-text tables for people.
public enum TextTable {
    /// Renders `rows` under `header`, columns padded to their widest cell; the columns in
    /// `rightAligned` (numbers) are right-aligned. `colour` wraps a cell in ANSI colour.
    public static func render(
        header: [String], rows: [[String]], rightAligned: Set<Int> = [], colour: ((_ column: Int, _ cell: String) -> String?)? = nil
    ) -> String {
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

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
