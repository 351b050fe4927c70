import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiStore
import NadiSupport

/// Checks the bearer token of a request.
struct Authorizer: Sendable {
    let tokens: TokenStore
    let timeout: Duration
    let retryAfterSeconds: Int

    /// The request's token when it is valid; 401 without one, 503 when the database does not answer.
    func verify(_ request: Request) async throws -> APIToken {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization: Bearer <token> (create one with `nadi token create`)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "the Authorization header must be 'Bearer <token>'")
        }
        let token: APIToken?
        do {
            let presented = String(parts[1]).trimmingCharacters(in: .whitespaces)
            token = try await withDeadline(timeout) { [tokens] in try await tokens.verify(presented) }
        } catch {
            throw APIError.unavailable("the database is unavailable; nothing was stored, retry shortly", retryAfter: retryAfterSeconds)
        }
        guard let token else { throw APIError(.unauthorized, "unknown or revoked token") }
        return token
    }
}

/// Puts the request's API token in the context as its identity (hummingbird-auth's authenticator
/// middleware): 401 without a valid token, 503 when the database does not answer.
struct TokenAuthenticator<Context: AuthRequestContext<APIToken>>: AuthenticatorMiddleware {
    let authorizer: Authorizer

    func authenticate(request: Request, context: Context) async throws -> APIToken? {
        try await authorizer.verify(request)
    }
}

/// Lets a request through when its token has one of `scopes` (403 otherwise), and names the token
/// as the actor of whatever the request changes (the audit trail).
struct RequireScope<Context: AuthRequestContext<APIToken>>: RouterMiddleware {
    let scopes: [TokenScope]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try context.requireIdentity()
        guard scopes.contains(where: token.scopes.contains) else {
            throw APIError(.forbidden, "this token lacks the '\(scopes.map(\.rawValue).joined(separator: "' or '"))' scope")
        }
        AuditActor.current?.identify("token:\(token.name)")
        return try await next(request, context)
    }
}

/// Answers 503 with Retry-After when an API handler fails with something other than an HTTP answer
/// (the database away, a query past its deadline) and logs what it was: one place instead of a
/// catch in every read endpoint. A handler that must say more ("nothing was stored") throws its
/// own `APIError`, which passes through.
struct UnavailableMiddleware<Context: RequestContext>: RouterMiddleware {
    let retryAfterSeconds: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let answer as any HTTPResponseError {
            throw answer
        } catch {
            context.logger.error(
                "request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(PostgresErrorText.describe(error))"])
            throw APIError.unavailable("the database is unavailable; retry shortly", retryAfter: retryAfterSeconds)
        }
    }
}

extension Router where Context: AuthRequestContext<APIToken> {
    /// The routes added to the answer need a valid token with one of `scopes`; their handlers read
    /// it with `context.requireIdentity()`. What they fail with is answered by `UnavailableMiddleware`.
    func requiring(_ scopes: [TokenScope], by authorizer: Authorizer) -> RouterGroup<Context> {
        group().add(middleware: UnavailableMiddleware(retryAfterSeconds: authorizer.retryAfterSeconds))
            .add(middleware: TokenAuthenticator(authorizer: authorizer)).add(middleware: RequireScope(scopes: scopes))
    }
}
