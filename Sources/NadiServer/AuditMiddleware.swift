import HTTPTypes
import Hummingbird
import NadiConsole
import NadiStore

/// Gives every request an `AuditActor`: its address (the socket's, or what a trusted proxy says)
/// and a request id, which the answer carries as `X-Request-Id`. The token check
/// (`Authorizer.require`) or the console's session names the actor, so every change the request
/// makes reaches the audit trail with who made it, from where, under one id.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = NadiRequestContext
    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let actor = AuditActor(
            actor: nil, address: ConsoleController.visitor(request, context.remoteAddress, trusting: trustedProxies))
        var response = try await AuditActor.$current.withValue(actor) { try await next(request, context) }
        response.headers[Self.requestIDHeader] = actor.requestID
        return response
    }
}
