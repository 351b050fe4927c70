import Foundation
package import Logging
package import NadiLauncher
package import NadiStore
import PostgresNIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The throwaway PostgreSQL cluster of a test run: started on first use with the same launcher the
/// daemon uses (`EmbeddedPostgres`), in a temporary directory, and stopped and removed when the
/// test process exits. Tests never touch `./nadi-data` and need no pre-started server.
package actor TestCluster {
    package static let shared = TestCluster()

    private var clusterSetup = SingleFlight<EmbeddedPostgres>()
    private var templateSetup = SingleFlight<Bool>()
    private var counter = 0

    /// A logger that drops everything (tests do not bootstrap the logging system).
    package static let quietLogger = Logger(label: "nadi.test") { _ in SwiftLogNoOpLogHandler() }

    /// The running cluster.
    package func cluster() async throws -> EmbeddedPostgres {
        if let result = clusterSetup.result { return try result.get() }
        guard clusterSetup.claim() else {
            return try await withCheckedThrowingContinuation { clusterSetup.enqueue($0) }
        }
        do {
            let cluster = try await startCluster()
            clusterSetup.finish(.success(cluster))
            return cluster
        } catch {
            clusterSetup.finish(.failure(error))
            throw error
        }
    }

    private func startCluster() async throws -> EmbeddedPostgres {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nadi-test-\(getpid())-\(UUID().uuidString.prefix(8))")
        let installation = try await PostgresInstallation.locate()
        let cluster = EmbeddedPostgres(
            stateDirectory: directory, installation: installation, durable: false, logger: Self.quietLogger)
        Cleanup.register(directory: directory, pgCtl: "\(installation.binDirectory)/pg_ctl", cluster: cluster)
        _ = try await cluster.start()
        return cluster
    }

    /// A new, empty database (no schema) in the test cluster.
    package func emptyDatabase() async throws -> DatabaseURL {
        let cluster = try await cluster()
        let name = nextName()
        try await admin(cluster) { client in
            _ = try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        return cluster.url(database: name)
    }

    /// A new database with every migration applied and the builtin regions of Indonesia loaded
    /// (cloned from a template made once per test run).
    package func migratedDatabase() async throws -> DatabaseURL {
        let cluster = try await cluster()
        if let result = templateSetup.result {
            _ = try result.get()
        } else if templateSetup.claim() {
            do {
                try await makeTemplate(cluster)
                templateSetup.finish(.success(true))
            } catch {
                templateSetup.finish(.failure(error))
                throw error
            }
        } else {
            _ = try await withCheckedThrowingContinuation { templateSetup.enqueue($0) }
        }
        let name = nextName()
        // The template's last connections may still be closing: PostgreSQL then refuses with 55006.
        for attempt in 1...50 {
            do {
                try await admin(cluster) { client in
                    _ = try await client.query("CREATE DATABASE \(unescaped: name) TEMPLATE nadi_template STRATEGY FILE_COPY")
                }
                break
            } catch  where PostgresErrorText.code(error) == .objectInUse && attempt < 50 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return cluster.url(database: name)
    }

    private func makeTemplate(_ cluster: EmbeddedPostgres) async throws {
        try await admin(cluster) { client in
            _ = try await client.query("CREATE DATABASE nadi_template")
        }
        try await TestClient.with(cluster.url(database: "nadi_template")) { client in
            let migrations = try Migration.load(from: ResourceLocator.sqlDirectory())
            try await Migrator(client: client, logger: Self.quietLogger).migrate(migrations)
            _ = try await RegionImporter(client: client, logger: Self.quietLogger).importRows(RegionImporter.builtinRows())
        }
    }

    private func nextName() -> String {
        counter += 1
        return "t\(counter)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// One pool on the maintenance database for the whole run (up to 4 connections): a pool per
    /// statement left its connections open, and a full run held 420 of the cluster's connections.
    private var adminClient: DatabaseClient?

    private func admin(_ cluster: EmbeddedPostgres, _ body: @Sendable (DatabaseClient) async throws -> Void) async throws {
        let client: DatabaseClient
        if let existing = adminClient {
            client = existing
        } else {
            var configuration = try cluster.url(database: "postgres").clientConfiguration()
            configuration.options.maximumConnections = 4
            client = DatabaseClient(configuration: configuration, backgroundLogger: Self.quietLogger)
            // It runs until the test process exits (the cluster stops then too).
            Task.detached { await client.run() }
            adminClient = client
        }
        try await body(client)
    }
}

/// Stops the test cluster and removes its directory when the test process exits.
enum Cleanup {
    private struct State {
        var directory: URL?
        var pgCtl: String?
        var dataDirectory: String?
        var serverUser: String?
    }
    private static let state = Mutex(State())

    static func register(directory: URL, pgCtl: String, cluster: EmbeddedPostgres) {
        let first = state.withLock { state -> Bool in
            let first = state.directory == nil
            state.directory = directory
            state.pgCtl = pgCtl
            state.dataDirectory = cluster.dataDirectory.path
            state.serverUser = geteuid() == 0 ? (ProcessInfo.processInfo.environment["NADI_PG_USER"] ?? "postgres") : nil
            return first
        }
        if first { atexit { Cleanup.run() } }
    }

    static func run() {
        let snapshot = state.withLock { $0 }
        guard let directory = snapshot.directory, let pgCtl = snapshot.pgCtl, let data = snapshot.dataDirectory else {
            return
        }
        let process = Process()
        var arguments = [pgCtl, "-D", data, "-m", "immediate", "-w", "-s", "stop"]
        if let user = snapshot.serverUser {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            arguments = ["-u", user, "--"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: pgCtl)
            arguments.removeFirst()
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
