package import Logging
import NadiSupport
package import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Nadi's database client: postgres-nio's `PostgresClient` for one server, or — when the URL lists
/// several servers or asks for `target_session_attrs=read-write` — the client of whichever server
/// qualifies now, replaced by itself after a failover (DESIGN "Scale beyond one machine").
///
/// While no server qualifies (the primary died, no standby promoted yet) queries fail with the
/// connection's error, so the writer answers 503 with `Retry-After` and `/readyz` says why; once a
/// server qualifies again every new query goes there, without a restart. It checks the server it
/// uses once a second (`SELECT pg_is_in_recovery()` on the pool) and, after two failed or read-only
/// answers in a row, looks again through the whole list.
package final class DatabaseClient: Service, Sendable {
    private enum Source: Sendable {
        case fixed(PostgresClient)
        case selecting(DatabaseURL, configure: @Sendable (inout PostgresClient.Configuration) -> Void)
    }

    private struct Current: Sendable {
        var client: PostgresClient
        var endpoint: DatabaseURL.Endpoint
        /// Finishing it stops that client's `run()`.
        var stop: AsyncStream<Void>.Continuation
    }

    private let source: Source
    private let logger: Logger
    private let current = Mutex<Current?>(nil)
    private let generation = Atomic<Int>(0)
    /// How often the server in use is checked, and how long a query waits for a first server.
    private let checkInterval: Duration

    /// A client of one server, configured as postgres-nio's.
    package init(configuration: PostgresClient.Configuration, backgroundLogger: Logger) {
        self.source = .fixed(PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger))
        self.logger = backgroundLogger
        self.checkInterval = .seconds(1)
    }

    /// A client of `url`: of its one server, or of the server among several that
    /// `target_session_attrs` picks, followed through failovers. `configure` adjusts each
    /// server's configuration (pool size, timeouts).
    package init(
        url: DatabaseURL, logger: Logger, checkInterval: Duration = .seconds(1),
        configure: @escaping @Sendable (inout PostgresClient.Configuration) -> Void = { _ in }
    ) throws {
        self.logger = logger
        self.checkInterval = checkInterval
        if url.needsServerSelection {
            _ = try url.selecting(url.endpoint).clientConfiguration()  // a bad sslmode fails here, not later
            self.source = .selecting(url, configure: configure)
        } else {
            var configuration = try url.clientConfiguration()
            configure(&configuration)
            self.source = .fixed(PostgresClient(configuration: configuration, backgroundLogger: logger))
        }
    }

    /// Counts the servers taken into use; see ``serverChanged(after:)``.
    package var serverGeneration: Int { generation.load(ordering: .acquiring) }

    /// Returns once another server than the one of `generation` is in use — a failover: work still
    /// waiting on the old server's pool will not get anywhere, and its caller may stop waiting.
    /// Nil when cancelled first; never returns otherwise for a client of one server.
    package func serverChanged(after generation: Int) async -> (any Error)? {
        if case .fixed = source {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return nil
        }
        while !Task.isCancelled {
            if self.generation.load(ordering: .acquiring) > generation { return DatabaseServerChanged() }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    // MARK: - postgres-nio's API

    /// Runs `query` on a pooled connection of the server in use.
    package func query(_ query: PostgresQuery, logger: Logger? = nil, file: String = #fileID, line: Int = #line) async throws
        -> PostgresRowSequence
    {
        try await client().query(query, logger: logger, file: file, line: line)
    }

    /// Leases a connection of the server in use for `closure`.
    package func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation, _ closure: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await client().withConnection(isolation: isolation, closure)
    }

    /// Runs `closure` in a transaction on the server in use.
    package func withTransaction<Result>(
        logger: Logger, file: String = #file, line: Int = #line, isolation: isolated (any Actor)? = #isolation,
        _ closure: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        guard let actor = AuditActor.current, let (who, address) = actor.settings else {
            return try await client().withTransaction(logger: logger, file: file, line: line, isolation: isolation, closure)
        }
        // The audit triggers read who is changing things from the transaction's settings.
        return try await client().withTransaction(logger: logger, file: file, line: line, isolation: isolation) { connection in
            _ = try await connection.query(
                """
                SELECT set_config('nadi.actor', \(who), true), set_config('nadi.address', \(address ?? ""), true),
                       set_config('nadi.request_id', \(actor.requestID), true)
                """, logger: logger)
            return try await closure(connection)
        }
    }

    /// Keeps the connections going (and, for several servers, follows the primary) until cancelled
    /// or, as a service, shut down gracefully.
    package func run() async {
        switch source {
        case .fixed(let client):
            await client.run()
        case .selecting(let url, let configure):
            await cancelWhenGracefulShutdown { await self.follow(url, configure: configure) }
        }
    }

    // MARK: - Following the primary

    private func client() async throws -> PostgresClient {
        if case .fixed(let client) = source { return client }
        // Right after start the first server is being chosen: wait for it a little.
        for _ in 0..<100 {
            if let client = current.withLock({ $0?.client }) { return client }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard case .selecting(let url, _) = source else { throw DatabaseUnreachable(kind: .transient, reason: "no server", hint: "") }
        throw DatabaseUnreachable(
            kind: .transient,
            reason: "no server of \(url) \(url.targetSessionAttributes == .any ? "answers" : "accepts writes") yet",
            hint: "waiting for a primary")
    }

    private func follow(_ url: DatabaseURL, configure: @escaping @Sendable (inout PostgresClient.Configuration) -> Void) async {
        await withDiscardingTaskGroup { group in
            var failures = 0
            var lastProblem = ""
            while !Task.isCancelled {
                if current.withLock({ $0 == nil }) || failures >= 2 {
                    switch await DatabaseProbe.selectServer(url, timeout: .seconds(2), logger: logger) {
                    case .success(let endpoint):
                        if let client = try? makeClient(url.selecting(endpoint), configure: configure) {
                            let (stream, stop) = AsyncStream<Void>.makeStream()
                            group.addTask {
                                await withDiscardingTaskGroup { inner in
                                    inner.addTask { await client.run() }
                                    for await _ in stream {}
                                    inner.cancelAll()
                                }
                            }
                            let previous = current.withLock { state in
                                defer { state = Current(client: client, endpoint: endpoint, stop: stop) }
                                return state
                            }
                            generation.add(1, ordering: .releasing)
                            previous?.stop.finish()
                            if let previous, previous.endpoint != endpoint {
                                logger.notice(
                                    "database failover: now using another server",
                                    metadata: ["database.server": "\(endpoint.place)", "database.previous": "\(previous.endpoint.place)"])
                            } else {
                                logger.info("database server chosen", metadata: ["database.server": "\(endpoint.place)"])
                            }
                            failures = 0
                            lastProblem = ""
                        }
                    case .failure(let problem):
                        if problem.reason != lastProblem {
                            logger.warning(
                                "no database server to use yet; looking again every second",
                                metadata: ["database.url": "\(url)", "error": "\(problem.reason)"])
                            lastProblem = problem.reason
                        }
                    }
                }
                try? await Task.sleep(for: checkInterval)
                if let client = current.withLock({ $0?.client }) {
                    failures = await isUsable(client, url: url) ? 0 : failures + 1
                }
            }
            current.withLock { state in
                state?.stop.finish()
                state = nil
            }
        }
    }

    private func makeClient(
        _ single: DatabaseURL, configure: @Sendable (inout PostgresClient.Configuration) -> Void
    ) throws -> PostgresClient {
        var configuration = try single.clientConfiguration()
        configure(&configuration)
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// True when `client`'s server answers within two seconds and is what the URL asks for.
    private func isUsable(_ client: PostgresClient, url: DatabaseURL) async -> Bool {
        let logger = self.logger
        do {
            return try await withDeadline(.seconds(2)) {
                var usable = false
                for try await (recovery, readOnly) in try await client.query(DatabaseProbe.Role.query, logger: logger).decode(
                    (Bool, Bool).self)
                {
                    usable = DatabaseProbe.Role(inRecovery: recovery, readOnly: readOnly).satisfies(url.targetSessionAttributes)
                }
                return usable
            }
        } catch {
            return false
        }
    }
}

/// The client moved to another server (a failover) while a request waited on the old one.
package struct DatabaseServerChanged: Error, CustomStringConvertible {
    package let description =
        "the database server changed (failover) while this waited; not acknowledged (whatever the old server stored counts as duplicates on retry)"
}
