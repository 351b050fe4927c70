package import Logging
import NIOCore
import NIOPosix
import NadiSupport
import PostgresNIO

/// Why the database cannot be used, in the server's own words, with what to do about it.
package struct DatabaseUnreachable: Error, Sendable, CustomStringConvertible {
    /// Whether waiting can help: a server that is down or starting up comes back; a database that
    /// does not exist or a password that is wrong does not.
    package enum Kind: Sendable { case transient, permanent }

    package let kind: Kind
    /// What went wrong, e.g. `SQLSTATE 3D000: database "nadi" does not exist`.
    package let reason: String
    /// What an operator can do.
    package let hint: String

    package var description: String { "\(reason)\nhint: \(hint)" }
}

/// One connection and `SELECT 1`, to learn before anything else whether the database can be used.
/// postgres-nio's pool retries a failing server quietly and then reports only that its circuit
/// breaker tripped; this says the server's own reason within seconds.
package enum DatabaseProbe {
    /// Nil when `url` answers within `timeout` (for a URL listing several servers or asking for a
    /// read-write one: when one of them qualifies); otherwise why not.
    package static func check(_ url: DatabaseURL, timeout: Duration = .seconds(5), logger: Logger) async -> DatabaseUnreachable? {
        switch await selectServer(url, timeout: timeout, logger: logger) {
        case .success: nil
        case .failure(let problem): problem
        }
    }

    /// The first of `url`'s servers that answers and, for `target_session_attrs` read-write or
    /// primary, is not a standby and accepts writes — libpq's rule; otherwise why none qualifies.
    package static func selectServer(
        _ url: DatabaseURL, timeout: Duration = .seconds(5), logger: Logger
    ) async -> Result<DatabaseURL.Endpoint, DatabaseUnreachable> {
        var problems: [DatabaseUnreachable] = []
        for endpoint in url.endpoints {
            let single = url.selecting(endpoint)
            switch await role(of: single, timeout: timeout, logger: logger) {
            case .failure(let problem):
                // A permanent problem of the only server is final; with several, another may do.
                if url.endpoints.count == 1 { return .failure(problem) }
                problems.append(problem)
            case .success(let role):
                if role.satisfies(url.targetSessionAttributes) {
                    return .success(endpoint)
                } else {
                    problems.append(
                        DatabaseUnreachable(
                            kind: .transient,
                            reason:
                                "\(endpoint.place) is \(role.inRecovery ? "a standby (in recovery)" : "read-only (default_transaction_read_only)")",
                            hint: "waiting for a primary; promote a standby, or list the primary in the URL"))
                }
            }
        }
        if problems.count == 1, let only = problems.first { return .failure(only) }
        let permanent = problems.allSatisfy { $0.kind == .permanent }
        return .failure(
            DatabaseUnreachable(
                kind: permanent ? .permanent : .transient,
                reason: "no server of \(url) \(url.targetSessionAttributes == .any ? "answers" : "accepts writes"): "
                    + problems.map(\.reason).joined(separator: "; "),
                hint: problems.first?.hint ?? "see the servers' logs"))
    }

    /// What one server is: a standby or not, read-only or not.
    struct Role: Sendable {
        /// Asks a server what it is; decode as `(Bool, Bool)`.
        static let query: PostgresQuery = "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'"

        var inRecovery: Bool
        var readOnly: Bool

        /// libpq's rule for `target_session_attrs`.
        func satisfies(_ attributes: DatabaseURL.TargetSessionAttributes) -> Bool {
            switch attributes {
            case .any: true
            case .primary: !inRecovery
            case .readWrite: !inRecovery && !readOnly
            }
        }
    }

    private static func role(of url: DatabaseURL, timeout: Duration, logger: Logger) async -> Result<Role, DatabaseUnreachable> {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try url.connectionConfiguration()
        } catch {
            return .failure(DatabaseUnreachable(kind: .permanent, reason: "TLS set-up failed: \(error)", hint: "check sslmode in the URL"))
        }
        var connectionConfiguration = configuration
        connectionConfiguration.options.connectTimeout = .init(timeout)
        let settings = connectionConfiguration
        do {
            let role = try await withDeadline(timeout + .seconds(1)) {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: settings, id: 0, logger: logger)
                do {
                    var role = Role(inRecovery: false, readOnly: false)
                    for try await (recovery, readOnly) in try await connection.query(Role.query, logger: logger).decode((Bool, Bool).self) {
                        role = Role(inRecovery: recovery, readOnly: readOnly)
                    }
                    try? await connection.close()
                    return role
                } catch {
                    try? await connection.close()
                    throw error
                }
            }
            return .success(role)
        } catch {
            return .failure(classify(error, url: url))
        }
    }

    /// Waits until `url` answers: a transient failure is logged and retried with exponential
    /// backoff (1 s doubling to `maxBackoff`); a permanent one is thrown at once. Ends with
    /// `CancellationError` when the calling task is cancelled (a signal while waiting).
    package static func waitUntilReachable(_ url: DatabaseURL, maxBackoff: Duration = .seconds(30), logger: Logger) async throws {
        var backoff = Duration.seconds(1)
        var attempt = 0
        while true {
            try Task.checkCancellation()
            guard let problem = await check(url, logger: logger) else {
                if attempt > 0 { logger.notice("database reachable", metadata: ["database.url": "\(url)"]) }
                return
            }
            guard problem.kind == .transient else { throw problem }
            attempt += 1
            logger.warning(
                "database not reachable yet; retrying",
                metadata: [
                    "database.url": "\(url)", "error": "\(problem.reason)", "hint": "\(problem.hint)", "retry.in": "\(backoff)",
                    "attempt": "\(attempt)",
                ])
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maxBackoff)
        }
    }

    static func classify(_ error: any Error, url: DatabaseURL) -> DatabaseUnreachable {
        let place = url.endpoint.place
        if let code = PostgresErrorText.code(error) {
            let reason = PostgresErrorText.describe(error)
            switch code {
            case .invalidCatalogName:
                return .init(
                    kind: .permanent, reason: reason,
                    hint: "create it (createdb -O \(url.username) \(url.database ?? "nadi")) or fix the database name in the URL")
            case .invalidPassword, .invalidAuthorizationSpecification:
                return .init(
                    kind: .permanent, reason: reason,
                    hint: "check the user and password in the URL, and pg_hba.conf on the server")
            case .insufficientPrivilege:
                return .init(kind: .permanent, reason: reason, hint: "grant the role CONNECT on the database")
            case .cannotConnectNow, .tooManyConnections, .diskFull, .outOfMemory, .adminShutdown, .crashShutdown:
                return .init(kind: .transient, reason: reason, hint: "the server is starting, stopping or overloaded; it may come back")
            default:
                return .init(kind: .permanent, reason: reason, hint: "see the server's log")
            }
        }
        if error is DeadlineExceeded {
            return .init(
                kind: .transient, reason: "no answer from \(place) within the connect timeout",
                hint: "is PostgreSQL running there and reachable (firewall, host name)?")
        }
        if let psql = error as? PSQLError {
            switch psql.code {
            case .sslUnsupported:
                return .init(kind: .permanent, reason: "the server does not support TLS", hint: "use sslmode=prefer or disable")
            case .authMechanismRequiresPassword:
                return .init(kind: .permanent, reason: "the server asks for a password", hint: "put the password in the URL")
            case .unsupportedAuthMechanism:
                return .init(
                    kind: .permanent, reason: "the server asks for an unsupported authentication method", hint: "use scram-sha-256")
            default:
                break
            }
            let underlying = psql.underlying.map { String(describing: $0) } ?? "\(psql.code)"
            return .init(
                kind: .transient, reason: "cannot connect to \(place): \(underlying)",
                hint: "is PostgreSQL running there and accepting connections?")
        }
        return .init(
            kind: .transient, reason: "cannot connect to \(place): \(error)", hint: "is PostgreSQL running there and accepting connections?"
        )
    }
}
