import Foundation
import Hummingbird
import NadiStore

/// Checks the bearer token of a request.
struct Authorizer: Sendable {
    let tokens: TokenStore

    /// The request's token when it is valid and has `scope`; 401 without a valid token, 403 without the scope.
    func require(_ scope: TokenScope, for request: Request) async throws -> APIToken {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization: Bearer <token> (create one with `nadi token create`)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "the Authorization header must be 'Bearer <token>'")
        }
        let token: APIToken?
        do {
            token = try await tokens.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        } catch {
            throw APIError.unavailable("the database is unavailable; retry shortly", retryAfter: 2)
        }
        guard let token else { throw APIError(.unauthorized, "unknown or revoked token") }
        guard token.scopes.contains(scope) else {
            throw APIError(.forbidden, "this token lacks the '\(scope.rawValue)' scope")
        }
        return token
    }
}
