import Foundation

/// Any JSON value, for free-form `attributes` and `metrics`.
package enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        // Each kind in turn; a value of another kind is a type mismatch, anything else (a number out
        // of range, a raw control character, a lone surrogate) is what is wrong with the value.
        var problem: (any Error)?
        func attempt<T: Decodable>(_ type: T.Type) -> T? {
            do {
                return try container.decode(type)
            } catch DecodingError.typeMismatch {
                return nil
            } catch {
                if problem == nil { problem = error }
                return nil
            }
        }
        if let value = attempt(Bool.self) {
            self = .bool(value)
        } else if let value = attempt(Double.self) {
            self = .number(value)
        } else if let value = attempt(String.self) {
            self = .string(value)
        } else if let value = attempt([JSONValue].self) {
            self = .array(value)
        } else if let value = attempt([String: JSONValue].self) {
            self = .object(value)
        } else if let problem {
            throw problem
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value Nadi can store")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object.
    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    package var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    package var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Compact JSON text with keys sorted, as PostgreSQL's `jsonb` input accepts it.
    package var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                out += String(Int64(value))
            } else {
                out += "\(value)"
            }
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                members[key]?.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// True when a key or a string anywhere in the value holds U+0000 (PostgreSQL's jsonb refuses it).
    package var containsNUL: Bool {
        switch self {
        case .string(let value): value.utf8.contains(0)
        case .array(let values): values.contains(where: \.containsNUL)
        case .object(let members): members.contains { $0.key.utf8.contains(0) || $0.value.containsNUL }
        default: false
        }
    }

    /// How deeply arrays and objects nest.
    package var depth: Int {
        switch self {
        case .array(let values): 1 + (values.map(\.depth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(\.depth).max() ?? 0)
        default: 0
        }
    }
}
