import Foundation
import Hummingbird
import NIOCore
import NadiStore

/// `GET /openapi.json`: the OpenAPI 3.1 document of the `/v1` API, as kept in the repository
/// (`Sources/NadiServer/Resources/openapi.json`), read once at start.
struct OpenAPIController: Sendable {
    let document: ByteBuffer

    /// Reads the document shipped with this build (see `ResourceLocator.openAPIDocument`).
    init() throws {
        let url = try ResourceLocator.openAPIDocument()
        document = ByteBuffer(bytes: try Data(contentsOf: url))
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: document))
        }
    }
}
