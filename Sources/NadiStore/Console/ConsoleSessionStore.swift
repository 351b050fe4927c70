import Crypto
package import Foundation
package import Logging
import NadiCore
import PostgresNIO

/// A signed-in console session: whose it is and the CSRF token its forms carry.
package struct ConsoleSession: Sendable, Equatable {
    package var user: ConsoleUser
    package var csrf: String
    package var expiresAt: Date
}

/// Console sessions in PostgreSQL, so they survive a restart of `nadid` and end when the user is
/// disabled. The browser holds a random 256-bit cookie; only its SHA-256 is stored.
package struct ConsoleSessionStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Starts a session for `user`; returns the cookie value and the session.
    package func start(for user: ConsoleUser, lifetime: Duration) async throws -> (cookie: String, session: ConsoleSession) {
        let cookie = Self.randomToken()
        let csrf = Self.randomToken()
        let expires = Date().addingTimeInterval(Double(lifetime.components.seconds))
        _ = try await client.query(
            """
            INSERT INTO console_session (token_hash, user_id, csrf, expires_at)
            VALUES (\(Self.hash(cookie)), \(user.id), \(csrf), \(expires))
            """, logger: logger)
        return (cookie, ConsoleSession(user: user, csrf: csrf, expiresAt: expires))
    }

    /// The live session behind `cookie` (not expired, user enabled), or nil.
    package func find(cookie: String) async throws -> ConsoleSession? {
        guard cookie.utf8.count == 43 else { return nil }
        for try await (id, name, region, role, created, disabled, csrf, expires) in try await client.query(
            """
            SELECT u.id, u.name, u.region::text, u.role, u.created_at, u.disabled_at, s.csrf, s.expires_at
            FROM console_session s JOIN console_user u ON u.id = s.user_id
            WHERE s.token_hash = \(Self.hash(cookie)) AND s.expires_at > now() AND u.disabled_at IS NULL
            """, logger: logger
        ).decode((Int64, String, String?, String, Date, Date?, String, Date).self) {
            guard let user = ConsoleUserStore.user((id, name, region, role, created, disabled)) else { return nil }
            return ConsoleSession(user: user, csrf: csrf, expiresAt: expires)
        }
        return nil
    }

    /// Ends the session behind `cookie` (logging out), and drops every expired session.
    package func end(cookie: String) async throws {
        _ = try await client.query(
            "DELETE FROM console_session WHERE token_hash = \(Self.hash(cookie)) OR expires_at < now()", logger: logger)
    }

    static func hash(_ token: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(token.utf8)))
    }

    /// 32 random bytes, base64url without padding (43 characters).
    package static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
