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
        let body = try JSONBody.encode(["error": message])
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
    static let encoder = JSONEncoder.nadi()

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// `value` as JSON; a value that cannot be encoded (a number that is not finite) is a 500 with
    /// the error shape, never a 2xx with an empty object.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let bytes: [UInt8]
        let answered: HTTPResponse.Status
        do {
            bytes = try encode(value)
            answered = status
        } catch {
            bytes = Array(#"{"error":"the answer could not be encoded (a value out of range); this is a bug, please report it"}"#.utf8)
            answered = .internalServerError
        }
        return Response(
            status: answered, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
