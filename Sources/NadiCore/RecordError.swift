/// Why one record of a batch was not stored, with its position in the batch.
public struct RecordError: Error, Equatable, Sendable, Codable {
    /// Zero-based position of the record in the request (or line index in NDJSON).
    public var index: Int
    public var error: String

    public init(index: Int, error: String) {
        self.index = index
        self.error = error
    }
}

/// Decodes an element of a batch without failing the whole batch: a record that does not decode is
/// kept as the reason it failed.
public struct Lenient<Wrapped: Decodable & Sendable>: Decodable, Sendable {
    public let result: Result<Wrapped, DecodeProblem>

    public init(from decoder: any Decoder) throws {
        do {
            result = .success(try Wrapped(from: decoder))
        } catch {
            result = .failure(DecodeProblem(describing: error))
        }
    }
}

/// A decoding failure, said for people: "field 'lat' must be a number".
public struct DecodeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    public init(describing error: any Error) {
        guard let error = error as? DecodingError else {
            self.description = "invalid record: \(error)"
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
            self.description = "\(path(context)): \(context.debugDescription)"
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
