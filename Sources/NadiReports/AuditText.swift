package import NadiCore

/// An audit row's change in one line: `name: Cam 1 → Cam Satu; region: 16.71.01 → 16.71.02`.
package enum AuditText {
    package static func change(_ event: AuditEvent, limit: Int = 160) -> String {
        let line: String
        switch event.action {
        case "create": line = "created " + fields(event.after)
        case "delete": line = "deleted " + fields(event.before)
        default:
            guard case .object(let after)? = event.after else { return "" }
            line = after.keys.sorted().map { key in
                "\(key): \(event.before?[key].map(shown) ?? "–") → \(shown(after[key] ?? .null))"
            }.joined(separator: "; ")
        }
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    private static func fields(_ value: JSONValue?) -> String {
        guard case .object(let object)? = value else { return "" }
        return object.keys.sorted().filter { object[$0] != .null }.map { "\($0)=\(shown(object[$0] ?? .null))" }.joined(separator: " ")
    }

    static func shown(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }
}
