import Foundation
import Hummingbird
import NadiCore

/// Reads a batch request: a JSON array of records, or NDJSON (`application/x-ndjson`, one record a
/// line). Each record decodes on its own, so one bad record is reported with its index and the rest
/// are still stored.
enum BatchBody {
    enum Format {
        case jsonArray
        case ndjson
    }

    /// The body's format from its Content-Type; 415 for anything else.
    static func format(of request: Request) throws -> Format {
        guard let contentType = request.headers[.contentType] else {
            throw APIError(.unsupportedMediaType, "set Content-Type: application/json (an array) or application/x-ndjson")
        }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "application/json": return .jsonArray
        case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
        default:
            throw APIError(
                .unsupportedMediaType,
                "Content-Type '\(mediaType)' is not accepted; use application/json (an array) or application/x-ndjson")
        }
    }

    /// Collects the body (413 past `limit`) and decodes each record.
    static func decode<Record: Decodable & Sendable>(
        _ type: Record.Type, from request: Request, limit: Int
    ) async throws -> [Result<Record, DecodeProblem>] {
        let format = try format(of: request)
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes; send smaller batches")
        }
        let data = Data(buffer.readableBytesView)
        switch format {
        case .jsonArray: return try decodeArray(type, data)
        case .ndjson: return decodeLines(type, data)
        }
    }

    static func decodeArray<Record: Decodable & Sendable>(_ type: Record.Type, _ data: Data) throws -> [Result<Record, DecodeProblem>] {
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        guard body.first(where: { !isSpace($0) }) == UInt8(ascii: "[") else {
            throw APIError(.badRequest, "the body must be a JSON array of records (or NDJSON with Content-Type: application/x-ndjson)")
        }
        do {
            return try JSONDecoder().decode([Lenient<Record>].self, from: Data(body)).map(\.result)
        } catch {
            throw APIError(.badRequest, "malformed JSON: \(syntaxProblem(error, in: body))")
        }
    }

    static func decodeLines<Record: Decodable & Sendable>(_ type: Record.Type, _ data: Data) -> [Result<Record, DecodeProblem>] {
        let decoder = JSONDecoder()
        var results: [Result<Record, DecodeProblem>] = []
        var body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        while !body.isEmpty {
            let end = body.firstIndex(of: UInt8(ascii: "\n")) ?? body.endIndex
            var line = body[body.startIndex..<end]
            body = end < body.endIndex ? body[body.index(after: end)...] : body[body.endIndex...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy(isSpace) { continue }
            do {
                results.append(try decoder.decode(Lenient<Record>.self, from: Data(line)).result)
            } catch {
                results.append(.failure(DecodeProblem("malformed JSON on this line: \(syntaxProblem(error, in: line))")))
            }
        }
        return results
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The parser's complaint, with where it was when Foundation says so.
    static func syntaxProblem(_ error: any Error, in body: Data.SubSequence) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
