/// Why one record of a batch was not stored, with its position in the batch.
package struct RecordError: Error, Equatable, Sendable, Codable {
    /// Zero-based position of the record in the request (or line index in NDJSON).
    package var index: Int
    package var error: String

    package init(index: Int, error: String) {
        self.index = index
        self.error = error
    }
}

/// Decodes an element of a batch without failing the whole batch: a record that does not decode is
/// kept as the reason it failed.
package struct Lenient<Wrapped: Decodable & Sendable>: Decodable, Sendable {
    package let result: Result<Wrapped, DecodeProblem>

    package init(from decoder: any Decoder) throws {
        do {
            result = .success(try Wrapped(from: decoder))
        } catch {
            result = .failure(DecodeProblem(describing: error))
        }
    }
}

/// A decoding failure, said for people: "field 'lat' must be a number".
package struct DecodeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String

    package init(_ description: String) { self.description = description }

    package init(describing error: any Error) {
        guard let error = error as? DecodingError else {
            self.description = "invalid record: " + (JSONErrorText.words(for: error) ?? "\(error)")
            return
        }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the record" : "field '\(keys.joined(separator: "."))'"
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.description = "\(path(context)) must be \(Self.typeName(type))"
        case .valueNotFound(let type, let context):
            self.description = "\(path(context)) must be \(Self.typeName(type)), not null"
        case .keyNotFound(let key, _):
            self.description = "missing field '\(key.stringValue)'"
        case .dataCorrupted(let context):
            let words = context.underlyingError.flatMap(JSONErrorText.words(for:)) ?? context.debugDescription
            self.description = "\(path(context)): \(words)"
        @unknown default:
            self.description = "invalid record"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Int.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String: JSONValue].Type: "an object"
        default: "of type \(type)"
        }
    }
}
