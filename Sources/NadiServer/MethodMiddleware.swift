import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// What HTTP says about methods, which Hummingbird's router leaves as 404: a known path asked with
/// a method it does not take gets 405 with `Allow`; `OPTIONS` gets 204 with `Allow`; an unknown path
/// gets 404 with the JSON error shape. (`HEAD` on GET routes is the router's own
/// `autoGenerateHeadEndpoints`.)
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes, filled in once every controller has added its own.
    final class Routes: Sendable {
        private let table = Mutex<[(components: [Substring], methods: [HTTPRequest.Method])]>([])

        func set(_ routes: [(path: String, method: HTTPRequest.Method)]) {
            var grouped: [String: [HTTPRequest.Method]] = [:]
            for route in routes { grouped[route.path, default: []].append(route.method) }
            table.withLock { table in
                table = grouped.map { (path, methods) in
                    (path.split(separator: "/"), methods.sorted { $0.rawValue < $1.rawValue })
                }
            }
        }

        /// The methods the path takes (empty for an unknown path).
        func methods(for path: String) -> [HTTPRequest.Method] {
            let parts = path.split(separator: "/")
            return table.withLock { table in
                table.first { route in
                    route.components.count == parts.count
                        && zip(route.components, parts).allSatisfy { pattern, part in
                            pattern.hasPrefix("{") || pattern == "*" || pattern == part
                        }
                }?.methods ?? []
            }
        }
    }

    let routes: Routes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .options {
            let methods = routes.methods(for: request.uri.path)
            guard !methods.isEmpty else { throw APIError(.notFound, "no such endpoint: \(request.uri.path.prefix(200))") }
            return Response(status: .noContent, headers: [.allow: Self.allow(methods)])
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = routes.methods(for: request.uri.path)
            guard !methods.isEmpty else { throw APIError(.notFound, "no such endpoint: \(request.uri.path.prefix(200))") }
            throw APIError(
                .methodNotAllowed, "\(request.method) is not allowed here; use \(Self.allow(methods))",
                headers: [.allow: Self.allow(methods)])
        }
    }

    static func allow(_ methods: [HTTPRequest.Method]) -> String {
        (methods + [.options]).map(\.rawValue).joined(separator: ", ")
    }
}
