import Foundation
import Hummingbird
import NIOCore
import NadiCore
import NadiSupport

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
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let mediaType = parts.first?.lowercased() ?? ""
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard pair.count == 2, pair[0] == "charset" else { continue }
            let charset = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard charset == "utf-8" || charset == "utf8" else {
                throw APIError(.unsupportedMediaType, "charset '\(charset.prefix(40))' is not accepted; send UTF-8 (charset=utf-8)")
            }
        }
        switch mediaType {
        case "application/json": return .jsonArray
        case "application/x-ndjson", "application/ndjson", "application/jsonl": return .ndjson
        default:
            throw APIError(
                .unsupportedMediaType,
                "Content-Type '\(mediaType)' is not accepted; use application/json (an array) or application/x-ndjson")
        }
    }

    /// The whole body: 413 past `limit`, 408 when it has not all arrived after `timeout` (a client
    /// that stalls or trickles), as `APIError`s.
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws -> ByteBuffer {
        let body = request.body
        do {
            return try await withDeadline(timeout) { try await body.collect(upTo: limit) }
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes; send smaller batches")
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes; send smaller batches")
        } catch is DeadlineExceeded {
            throw APIError(.requestTimeout, "the body did not arrive within \(timeout.components.seconds) s; nothing was stored")
        } catch let error as HTTPError {
            throw error
        } catch {
            // The client hung up or broke the stream mid-body: its fault, not the server's.
            throw APIError(.badRequest, "the body ended before it was complete; nothing was stored")
        }
    }

    /// Collects the body (413 past `limit`, 408 when it has not all arrived after `timeout`) and
    /// decodes each record (NDJSON lines and array elements through `fastPath` first, when given).
    static func decode<Record: Decodable & Sendable>(
        _ type: Record.Type, from request: Request, limit: Int, timeout: Duration,
        fastPath: ((UnsafeRawBufferPointer) -> Record?)? = nil
    ) async throws -> [Result<Record, DecodeProblem>] {
        let format = try format(of: request)
        let buffer = try await collect(request, limit: limit, timeout: timeout)
        let data = Data(buffer.readableBytesView)
        switch format {
        case .jsonArray:
            do {
                return try BatchDecoder.decodeArray(type, data, fastPath: fastPath)
            } catch {
                throw APIError(.badRequest, error.description)
            }
        case .ndjson: return BatchDecoder.decodeLines(type, data, fastPath: fastPath)
        }
    }
}
