import Foundation
import HTTPTypes
import Hummingbird
import NadiCore

/// An error answered as `{"error": "..."}` with a status, and optional headers (e.g. Retry-After).
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let body = JSONBody.encode(["error": message])
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func unavailable(_ message: String, retryAfter: Int) -> APIError {
        var fields = HTTPFields()
        fields[.retryAfter] = String(retryAfter)
        return APIError(.serviceUnavailable, message, headers: fields)
    }
}

/// JSON response bodies.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    static func encode(_ value: some Encodable) -> [UInt8] {
        (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}
