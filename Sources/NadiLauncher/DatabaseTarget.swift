package import Foundation
package import Logging
package import NadiStore
import PostgresNIO

/// Where Nadi's data lives: a server named by URL, or the embedded cluster under the state directory.
package enum DatabaseTarget: Sendable {
    case url(DatabaseURL)
    case embedded(stateDirectory: URL)

    /// `--database-url`, else `$NADI_DATABASE_URL`, else the embedded cluster under `stateDirectory`.
    package static func resolve(
        databaseURL: String?, stateDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DatabaseTarget {
        if let text = databaseURL ?? environment["NADI_DATABASE_URL"], !text.isEmpty {
            return .url(try DatabaseURL(parsing: text))
        }
        return .embedded(stateDirectory: URL(fileURLWithPath: stateDirectory))
    }
}

/// A database made ready for use: the embedded cluster started when needed, a client configured.
package struct OpenedDatabase: Sendable {
    package let url: DatabaseURL
    /// The embedded cluster, when that is what is used.
    package let embedded: EmbeddedPostgres?
    /// True when this process started the embedded server and so should stop it.
    package let startedServer: Bool

    /// Starts the embedded cluster when the target is embedded.
    package static func open(_ target: DatabaseTarget, logger: Logger) async throws -> OpenedDatabase {
        switch target {
        case .url(let url):
            return OpenedDatabase(url: url, embedded: nil, startedServer: false)
        case .embedded(let stateDirectory):
            let installation = try await PostgresInstallation.locate()
            let embedded = EmbeddedPostgres(stateDirectory: stateDirectory, installation: installation, logger: logger)
            let started = try await embedded.start()
            return OpenedDatabase(url: embedded.url, embedded: embedded, startedServer: started)
        }
    }

    /// A client for this database (call its `run()` in a task while using it).
    /// Several servers in the URL (or `target_session_attrs=read-write`): the client follows the primary.
    package func makeClient(maximumConnections: Int = 20, logger: Logger) throws -> DatabaseClient {
        try DatabaseClient(url: url, logger: logger) { configuration in
            configuration.options.maximumConnections = maximumConnections
            configuration.options.connectTimeout = .seconds(5)
        }
    }

    /// Stops the embedded server if this process started it.
    package func close() async throws {
        if startedServer, let embedded { try await embedded.stop() }
    }
}
