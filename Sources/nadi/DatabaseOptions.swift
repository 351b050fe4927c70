import ArgumentParser
import Foundation
import Logging
import NadiLauncher
import NadiStore
import PostgresNIO
import UnixSignals

/// Where the database is; shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help:
            "PostgreSQL URL as psql takes it, e.g. postgres://nadi:secret@db:5432/nadi (default: $NADI_DATABASE_URL, else the embedded cluster)."
    )
    var databaseURL: String?

    @Option(help: "State directory of the embedded PostgreSQL cluster.")
    var stateDir = "./nadi-data"

    /// What a command needs of the schema before it runs.
    enum Schema {
        /// Migrated already (an external database that is not is an error); the embedded cluster is
        /// migrated on the spot.
        case current
        /// Apply what is pending first (the benchmarks' scratch databases).
        case migrate
        /// Nothing: the command sees to it (`nadi migrate`).
        case asIs
    }

    /// Opens the database, makes sure of the schema, runs `body` with a client, and stops an embedded
    /// server this call started. `databaseName` picks another database on the same server (the
    /// benchmarks' scratch databases). A database that cannot be reached fails within seconds, in the
    /// server's own words.
    func withClient<T: Sendable>(
        databaseName: String? = nil, schema: Schema = .current, _ body: @Sendable (DatabaseClient) async throws -> T
    ) async throws -> T {
        try await withDatabase(databaseName: databaseName, schema: schema) { client, _ in try await body(client) }
    }

    /// `withClient`, also handing `body` the URL of the database (for a child process such as the
    /// benchmark's nadid).
    func withDatabase<T: Sendable>(
        databaseName: String? = nil, schema: Schema = .current, _ body: @Sendable (DatabaseClient, DatabaseURL) async throws -> T
    ) async throws -> T {
        let logger = CLILogger.make()
        let target = try DatabaseTarget.resolve(databaseURL: databaseURL, stateDirectory: stateDir)
        let database = try await OpenedDatabase.open(target, logger: logger)
        do {
            var url = database.url
            if let databaseName { url.database = databaseName }
            if let problem = await DatabaseProbe.check(url, logger: logger) {
                throw CLIError("cannot use the database \(url): \(problem)")
            }
            let client = try DatabaseClient(url: url, logger: logger) { $0.options.maximumConnections = 4 }
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { await Self.stopOnSignal(database: database) }
                defer { group.cancelAll() }
                try await Task.sleep(for: .milliseconds(20))  // let run() start before the first query
                let migrations = try Migration.load(from: ResourceLocator.sqlDirectory())
                let migrator = Migrator(client: client, logger: logger)
                switch schema {
                case .migrate:
                    try await migrator.migrate(migrations)
                case .current where database.embedded != nil:
                    try await migrator.migrate(migrations)
                case .current:
                    if let first = try await migrator.pending(migrations).first {
                        throw CLIError("the database is not migrated (\(first.name) is pending); run `nadi migrate` first")
                    }
                case .asIs:
                    break
                }
                // Every change this command makes is recorded in the audit trail as `cli:<os user>`,
                // under one request id.
                return try await AuditActor.$current.withValue(AuditActor.commandLine()) { try await body(client, url) }
            }
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}

extension DatabaseOptions {
    /// Waits for SIGINT or SIGTERM (until cancelled); on one, ends the children this command
    /// started (the benchmark's nadid), stops the embedded PostgreSQL this command started, and
    /// exits with 128 + the signal, as a shell expects of a program stopped by one.
    static func stopOnSignal(database: OpenedDatabase) async {
        for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
            FileHandle.standardError.write(Data("nadi: stopped by \(signal); stopping what it started\n".utf8))
            SpawnedProcess.terminateAll()
            do {
                try await database.close()
            } catch {
                FileHandle.standardError.write(Data("nadi: could not stop the embedded PostgreSQL: \(error)\n".utf8))
            }
            Foundation.exit(signal == .sigint ? 130 : 143)
        }
    }
}

/// A failure said to the person at the terminal (exit status 1).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Logs warnings and worse to stderr (set NADI_LOG_LEVEL=info for more).
enum CLILogger {
    static func make() -> Logger {
        var logger = Logger(label: "nadi") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["NADI_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}
