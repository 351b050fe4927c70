import Crypto
package import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// What a token may do.
package enum TokenScope: String, CaseIterable, Sendable, Codable {
    /// Send pings.
    case ingest
    /// Register and change devices and sites.
    case inventory
    /// Read state and reports.
    case read
    /// Manage tokens (and everything the other scopes allow where an endpoint says so).
    case admin
    /// Plan and cancel maintenance windows.
    case maintenance
    /// Read the audit trail (`GET /v1/audit`).
    case audit

    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A verified API token: who it is and what it may touch.
package struct APIToken: Sendable, Equatable {
    package var id: Int64
    package var name: String
    /// The region subtree it may write and read; nil for all of Indonesia.
    package var region: RegionCode?
    package var scopes: Set<TokenScope>
    package var createdAt: Date
    package var revokedAt: Date?

    /// True when `code` lies in the token's region subtree.
    package func covers(_ code: RegionCode) -> Bool {
        guard let region else { return true }
        return code.isWithin(region)
    }
}

/// API tokens. A token reads `nadi_<id>_<secret>`; only SHA-256 of the whole token is stored, and the
/// check compares hashes in constant time after looking the row up by id.
package struct TokenStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Creates a token and returns it with its secret (shown once, never stored).
    package func create(name: String, region: RegionCode?, scopes: Set<TokenScope>) async throws -> (APIToken, String) {
        guard !scopes.isEmpty else { throw TokenError("a token needs at least one scope: \(TokenScope.allowedValues)") }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if let problem = Self.nameProblem(trimmed) { throw TokenError(problem) }
        return try await client.transaction(logger: logger) { connection in
            if let region {
                var exists = false
                for try await _ in try await connection.query("SELECT 1 FROM region WHERE code = \(region.rawValue)::ltree", logger: logger)
                {
                    exists = true
                }
                guard exists else { throw TokenError("region \(region) does not exist") }
            }
            var taken = false
            for try await _ in try await connection.query("SELECT 1 FROM api_token WHERE name = \(trimmed)", logger: logger) {
                taken = true
            }
            guard !taken else { throw TokenError("a token named '\(trimmed)' already exists; revoke it or choose another name") }
            var id: Int64 = 0
            for try await value in try await connection.query("SELECT nextval('api_token_id_seq')", logger: logger).decode(Int64.self) {
                id = value
            }
            let secret = Self.randomSecret()
            let token = "nadi_\(id)_\(secret)"
            let hash = [UInt8](SHA256.hash(data: Data(token.utf8)))
            let sortedScopes = scopes.map(\.rawValue).sorted()
            var created = Date()
            for try await at in try await connection.query(
                """
                INSERT INTO api_token (id, name, hash, region, scopes) VALUES (\(id), \(trimmed), \(ByteBuffer(bytes: hash)),
                    \(region?.rawValue)::ltree, \(sortedScopes)) RETURNING created_at
                """, logger: logger
            ).decode(Date.self) { created = at }
            return (APIToken(id: id, name: trimmed, region: region, scopes: scopes, createdAt: created), token)
        }
    }

    /// The token behind `presented`, or nil when it is unknown, malformed or revoked.
    package func verify(_ presented: String) async throws -> APIToken? {
        let parts = presented.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "nadi", let id = Int64(parts[1]), presented.utf8.count <= 200 else { return nil }
        let rows = try await client.query(
            "SELECT id, name, hash, region::text, scopes, created_at, revoked_at FROM api_token WHERE id = \(id)", logger: logger)
        for try await (id, name, hash, region, scopes, created, revoked) in rows.decode(
            (Int64, String, ByteBuffer, String?, [String], Date, Date?).self)
        {
            // swift-crypto compares a digest with bytes in constant time.
            guard SHA256.hash(data: Data(presented.utf8)) == hash.readableBytesView, revoked == nil else { return nil }
            return APIToken(
                id: id, name: name, region: region.flatMap { RegionCode($0) },
                scopes: Set(scopes.compactMap(TokenScope.init(rawValue:))), createdAt: created, revokedAt: revoked)
        }
        return nil
    }

    /// Every token, newest first (no secrets: they are not stored).
    package func list() async throws -> [APIToken] {
        let rows = try await client.query(
            "SELECT id, name, region::text, scopes, created_at, revoked_at FROM api_token ORDER BY id DESC", logger: logger)
        var tokens: [APIToken] = []
        for try await (id, name, region, scopes, created, revoked) in rows.decode((Int64, String, String?, [String], Date, Date?).self) {
            tokens.append(
                APIToken(
                    id: id, name: name, region: region.flatMap { RegionCode($0) },
                    scopes: Set(scopes.compactMap(TokenScope.init(rawValue:))), createdAt: created, revokedAt: revoked))
        }
        return tokens
    }

    /// Revokes the token with this name or id; it stops working at once. Returns false when none matched.
    package func revoke(_ nameOrID: String) async throws -> Bool {
        // A number is an id, anything else a name (names are never all digits): never both at once.
        let query: PostgresQuery =
            if let id = Int64(nameOrID) {
                "UPDATE api_token SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id"
            } else {
                "UPDATE api_token SET revoked_at = now() WHERE name = \(nameOrID) AND revoked_at IS NULL RETURNING id"
            }
        return try await !client.write(query, logger: logger).isEmpty
    }

    /// Why `name` cannot name a token, or nil: 1–100 characters, not all digits (those are ids), no
    /// control characters.
    package static func nameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 100 { return "a token name has 1–100 characters" }
        if name.allSatisfy(\.isNumber) { return "a token name cannot be all digits (numbers are token ids)" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "a token name cannot hold control characters"
        }
        return nil
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

/// A token request that cannot be carried out, with the reason.
package struct TokenError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
