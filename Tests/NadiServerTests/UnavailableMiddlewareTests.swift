import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NadiServerTestSupport
import Testing

@testable import NadiServer

/// The API's one error-to-response step: a handler that fails with something other than an HTTP
/// answer is answered 503 with Retry-After (the database away, a query past its deadline); an HTTP
/// answer it throws passes through unchanged.
@Suite("API errors as middleware")
struct UnavailableMiddlewareTests {
    struct DatabaseAway: Error {}

    @Test(
        "a failure that is not an HTTP answer becomes 503 with Retry-After and the database message; a 404 stays a 404 (through a real socket)"
    )
    func failuresBecome503() async throws {
        let router = Router()
        let group = router.group().add(middleware: UnavailableMiddleware(retryAfterSeconds: 7))
        group.get("/away") { _, _ -> Response in throw DatabaseAway() }
        group.get("/missing") { _, _ -> Response in throw APIError(.notFound, "no such thing") }
        group.get("/fine") { _, _ in "ok" }
        try await Application(router: router).test(.live) { client in
            try await client.execute(uri: "/away", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                #expect(String(buffer: response.body).contains("the database is unavailable; retry shortly"))
            }
            try await client.execute(uri: "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("no such thing"))
            }
            try await client.execute(uri: "/fine", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "ok")
            }
        }
    }
}
