import Foundation
import Hummingbird
import NadiStore
import NadiSupport

/// Checks the bearer token of a request.
struct Authorizer: Sendable {
    let tokens: TokenStore
    let timeout: Duration
    let retryAfterSeconds: Int

    /// The request's token when it is valid and has `scope`; 401 without a valid token, 403 without the scope.
    func require(_ scope: TokenScope, for request: Request) async throws -> APIToken {
        try await require(anyOf: [scope], for: request)
    }

    /// The request's token when it is valid and has one of `scopes`.
    func require(anyOf scopes: [TokenScope], for request: Request) async throws -> APIToken {
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
        guard scopes.contains(where: token.scopes.contains) else {
            throw APIError(.forbidden, "this token lacks the '\(scopes.map(\.rawValue).joined(separator: "' or '"))' scope")
        }
        AuditActor.current?.identify("token:\(token.name)")
        return token
    }
}
