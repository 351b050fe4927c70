import Foundation

/// Splits a PostgreSQL script into statements, the way psql does: at semicolons outside
/// single-quoted strings, double-quoted identifiers, dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`)
/// and comments (`-- …`, nested `/* … */`). Statements that hold only comments are dropped.
package enum SQLScript {
    package static func statements(in script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func take(_ count: Int) {
            let end = min(index + count, chars.count)
            current.append(contentsOf: chars[index..<end])
            index = end
        }
        func starts(with token: String, at position: Int) -> Bool {
            let scalars = Array(token.unicodeScalars)
            guard position + scalars.count <= chars.count else { return false }
            return Array(chars[position..<position + scalars.count]) == scalars
        }

        while index < chars.count {
            let c = chars[index]
            if starts(with: "--", at: index) {
                while index < chars.count, chars[index] != "\n" { take(1) }
            } else if starts(with: "/*", at: index) {
                var depth = 0
                repeat {
                    if starts(with: "/*", at: index) {
                        depth += 1
                        take(2)
                    } else if starts(with: "*/", at: index) {
                        depth -= 1
                        take(2)
                    } else {
                        take(1)
                    }
                } while depth > 0 && index < chars.count
            } else if c == "'" || c == "\"" {
                hasCode = true
                take(1)
                while index < chars.count {
                    if chars[index] == c {
                        if index + 1 < chars.count, chars[index + 1] == c {
                            take(2)
                            continue
                        }
                        take(1)
                        break
                    }
                    take(1)
                }
            } else if c == "$", let tag = dollarTag(chars, at: index) {
                hasCode = true
                take(tag.count)
                while index < chars.count, !starts(with: tag, at: index) { take(1) }
                take(tag.unicodeScalars.count)
            } else if c == ";" {
                flush()
                index += 1
            } else {
                if !c.properties.isWhitespace { hasCode = true }
                take(1)
            }
        }
        flush()
        return statements
    }

    /// The dollar-quote opening tag at `position` (`$$` or `$name$`), or nil.
    private static func dollarTag(_ chars: [Unicode.Scalar], at position: Int) -> String? {
        var end = position + 1
        while end < chars.count {
            let c = chars[end]
            if c == "$" {
                return String(String.UnicodeScalarView(chars[position...end]))
            }
            let isIdentifier = c == "_" || c.properties.isAlphabetic || (end > position + 1 && ("0"..."9").contains(c))
            guard isIdentifier else { return nil }
            end += 1
        }
        return nil
    }
}
