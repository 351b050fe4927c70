package import Foundation
package import Logging
package import NadiCore
import NadiSupport
import PostgresNIO

/// A console user as the console and `nadi user list` see it (never the password hash).
package struct ConsoleUser: Sendable, Equatable {
    package var id: Int64
    package var name: String
    /// The region subtree the user sees; nil for all of Indonesia.
    package var region: RegionCode?
    package var role: ConsoleRole
    package var createdAt: Date
    package var disabledAt: Date?

    /// True when `code` lies in the user's region subtree.
    package func covers(_ code: RegionCode) -> Bool {
        guard let region else { return true }
        return code.isWithin(region)
    }
}

/// A console user request that cannot be carried out, shaped like postgres-nio's `PSQLError`:
/// callers branch on `code` (the console translates it), people read `description` (English, what
/// the CLI prints).
package struct ConsoleUserError: Error, CustomStringConvertible {
    /// What kind of refusal it is.
    package enum Code: Equatable, Sendable {
        /// The name or the password breaks ``ConsoleCredentialRules``.
        case credentials(CredentialProblem)
        /// The user's region is not in the database.
        case unknownRegion
        /// Another user has the name.
        case nameTaken
        /// The database stored no row (a trigger in front of the table).
        case notCreated

        /// A stable text for the code: the console's word catalog has `problem_<key>`.
        package var key: String {
            switch self {
            case .credentials(let problem): problem.rawValue
            case .unknownRegion: "region_unknown"
            case .nameTaken: "name_taken"
            case .notCreated: "not_created"
            }
        }
    }

    package let code: Code
    package let description: String

    package init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    init(_ problem: CredentialProblem) { self.init(.credentials(problem), problem.description) }

    static func nameTaken(_ name: String) -> Self {
        .init(.nameTaken, "a user named '\(name)' already exists; choose another name or use nadi user passwd")
    }
}

/// Console users: created and changed by `nadi user`, checked by the console's login.
/// Passwords are stored as bcrypt hashes (cost 12, salted by bcrypt itself).
package struct ConsoleUserStore: Sendable {
    let client: DatabaseClient
    let logger: Logger
    /// bcrypt's cost; tests may lower it, nothing else should.
    let cost: UInt8

    package init(client: DatabaseClient, logger: Logger, cost: UInt8 = PasswordHash.defaultCost) {
        self.client = client
        self.logger = logger
        self.cost = cost
    }

    /// Creates a user with `password` (checked against ``ConsoleCredentialRules``).
    package func create(name: String, region: RegionCode?, role: ConsoleRole, password: String) async throws -> ConsoleUser {
        if let problem = ConsoleCredentialRules.nameProblem(name) { throw ConsoleUserError(problem) }
        if let problem = ConsoleCredentialRules.passwordProblem(password) { throw ConsoleUserError(problem) }
        let hash = PasswordHash.make(password, cost: cost)
        do {
            return try await insert(name: name, region: region, role: role, hash: hash)
        } catch  where PostgresErrorText.code(error) == .uniqueViolation {
            throw ConsoleUserError.nameTaken(name)  // created by someone else since the check
        }
    }

    private func insert(name: String, region: RegionCode?, role: ConsoleRole, hash: String) async throws -> ConsoleUser {
        try await client.transaction(logger: logger) { connection in
            if let region {
                var exists = false
                for try await _ in try await connection.query("SELECT 1 FROM region WHERE code = \(region.rawValue)::ltree", logger: logger)
                {
                    exists = true
                }
                guard exists else {
                    throw ConsoleUserError(.unknownRegion, "region \(region) does not exist (load regions first: nadi regions load)")
                }
            }
            var taken = false
            for try await _ in try await connection.query("SELECT 1 FROM console_user WHERE name = \(name)", logger: logger) {
                taken = true
            }
            guard !taken else { throw ConsoleUserError.nameTaken(name) }
            var user: ConsoleUser?
            for try await (id, created) in try await connection.query(
                """
                INSERT INTO console_user (name, region, role, password_hash)
                VALUES (\(name), \(region?.rawValue)::ltree, \(role.rawValue), \(hash)) RETURNING id, created_at
                """, logger: logger
            ).decode((Int64, Date).self) {
                user = ConsoleUser(id: id, name: name, region: region, role: role, createdAt: created, disabledAt: nil)
            }
            guard let user else { throw ConsoleUserError(.notCreated, "the user was not created") }
            return user
        }
    }

    /// Every user, by name.
    package func list() async throws -> [ConsoleUser] {
        var users: [ConsoleUser] = []
        for try await row in try await client.query(
            "SELECT id, name, region::text, role, created_at, disabled_at FROM console_user ORDER BY name", logger: logger
        ).decode((Int64, String, String?, String, Date, Date?).self) {
            if let user = Self.user(row) { users.append(user) }
        }
        return users
    }

    /// The user `name` (enabled or not) with their password hash, or nil. The console checks the
    /// password on a thread of its own (`PasswordChecker`), never here.
    package func credentials(name: String) async throws -> (user: ConsoleUser, hash: String)? {
        var found: (user: ConsoleUser, hash: String)?
        for try await (id, name, region, role, created, disabled, hash) in try await client.query(
            "SELECT id, name, region::text, role, created_at, disabled_at, password_hash FROM console_user WHERE name = \(name)",
            logger: logger
        ).decode((Int64, String, String?, String, Date, Date?, String).self) {
            if let user = Self.user((id, name, region, role, created, disabled)) { found = (user, hash) }
        }
        return found
    }

    /// Disables `name` and ends their sessions. Returns false when there is no such user.
    package func disable(name: String) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            var id: Int64?
            for try await value in try await connection.query(
                "UPDATE console_user SET disabled_at = coalesce(disabled_at, now()) WHERE name = \(name) RETURNING id", logger: logger
            ).decode(Int64.self) { id = value }
            guard let id else { return false }
            try await connection.query("DELETE FROM console_session WHERE user_id = \(id)", logger: logger)
            return true
        }
    }

    /// Sets a new password for `name` and ends their sessions. Returns false when there is no such user.
    package func setPassword(name: String, password: String) async throws -> Bool {
        if let problem = ConsoleCredentialRules.passwordProblem(password) { throw ConsoleUserError(problem) }
        let hash = PasswordHash.make(password, cost: cost)
        return try await client.transaction(logger: logger) { connection in
            var id: Int64?
            for try await value in try await connection.query(
                "UPDATE console_user SET password_hash = \(hash) WHERE name = \(name) RETURNING id", logger: logger
            ).decode(Int64.self) { id = value }
            guard let id else { return false }
            try await connection.query("DELETE FROM console_session WHERE user_id = \(id)", logger: logger)
            return true
        }
    }

    static func user(_ row: (Int64, String, String?, String, Date, Date?)) -> ConsoleUser? {
        guard let role = ConsoleRole(rawValue: row.3) else { return nil }
        return ConsoleUser(
            id: row.0, name: row.1, region: row.2.flatMap { RegionCode($0) }, role: role, createdAt: row.4, disabledAt: row.5)
    }

}
