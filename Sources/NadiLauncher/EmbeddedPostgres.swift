package import Foundation
package import Logging
import NIOCore
import NIOPosix
package import NadiStore
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster under Nadi's state directory, reached over a Unix socket only.
///
/// Created with the installed server programs on first use and reused afterwards. PostgreSQL refuses
/// to run as root; when Nadi runs as root the server runs as an unprivileged user (`$NADI_PG_USER`,
/// else `postgres`, else `nobody`). The same launcher gives tests their throwaway clusters.
package struct EmbeddedPostgres: Sendable {
    /// The role and database Nadi uses inside the cluster.
    package static let roleName = "nadi"
    package static let databaseName = "nadi"
    static let port = 5432

    package let stateDirectory: URL
    package let installation: PostgresInstallation
    /// When false (tests only), fsync and synchronous commit are off: fast and not crash-safe.
    package let durable: Bool
    let logger: Logger

    /// The cluster's data directory.
    package var dataDirectory: URL { stateDirectory.appendingPathComponent("pg", isDirectory: true) }
    /// The directory holding the server's socket (mode 0700).
    package var socketDirectory: URL { stateDirectory.appendingPathComponent("run", isDirectory: true) }

    package init(stateDirectory: URL, installation: PostgresInstallation, durable: Bool = true, logger: Logger) {
        self.stateDirectory = stateDirectory.standardizedFileURL
        self.installation = installation
        self.durable = durable
        self.logger = logger
    }

    /// The URL that reaches the cluster.
    package var url: DatabaseURL { url(database: Self.databaseName) }

    /// The URL of another database in the cluster.
    package func url(database: String) -> DatabaseURL {
        DatabaseURL(
            username: Self.roleName, database: database,
            endpoint: .unixSocket(directory: socketDirectory.path, port: Self.port), sslMode: .disable)
    }

    /// Creates the cluster when it does not exist yet and starts it when it is not running.
    /// Returns true when this call started the server (and so should stop it when done).
    package func start() async throws -> Bool {
        let serverUser = try Self.serverUser()
        return try await withStateLock {
            try prepareDirectories(serverUser: serverUser)
            if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
                try await initialize(serverUser: serverUser)
            }
            if await isRunning() {
                // A server whose starter is gone (killed with SIGKILL, say) is adopted: this process
                // stops it when done, so a restarted nadid does not leave it running for good.
                guard let owner = owner(), !Self.isAlive(owner) else { return false }
                logger.notice("adopting the embedded postgres left by a process that is gone", metadata: ["owner.pid": "\(owner)"])
                try writeOwner()
                return true
            }
            let log = dataDirectory.appendingPathComponent("server.log").path
            let result = try await ProcessRunner.run(
                installation.tool("pg_ctl"), ["-D", dataDirectory.path, "-l", log, "-w", "-t", "60", "-s", "start"],
                as: serverUser?.name)
            guard result.status == 0 else {
                let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw EmbeddedPostgresError.toolFailed("pg_ctl start", output: result.output + serverLog)
            }
            try writeOwner()
            logger.info("embedded postgres started", metadata: ["postgres.socket": "\(socketDirectory.path)"])
            try await ensureDatabase()
            return true
        }
    }

    /// Stops the server (fast shutdown: sessions are ended, committed data is safe).
    package func stop() async throws {
        guard await isRunning() else { return }
        let result = try await ProcessRunner.run(
            installation.tool("pg_ctl"), ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "-s", "stop"],
            as: try Self.serverUser()?.name)
        guard result.status == 0 else { throw EmbeddedPostgresError.toolFailed("pg_ctl stop", output: result.output) }
        try? FileManager.default.removeItem(at: ownerFile)
        logger.info("embedded postgres stopped")
    }

    /// True when the cluster's server is running.
    package func isRunning() async -> Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return false
        }
        let result = try? await ProcessRunner.run(
            installation.tool("pg_ctl"), ["-D", dataDirectory.path, "status"], as: try? Self.serverUser()?.name)
        return result?.status == 0
    }

    /// Holds the pid of the process that started the running server (and will stop it).
    var ownerFile: URL { stateDirectory.appendingPathComponent("owner.pid") }

    /// The pid in `ownerFile`; nil when there is none (a server started by hand is never adopted).
    func owner() -> pid_t? {
        (try? String(contentsOf: ownerFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private func writeOwner() throws {
        try Data("\(getpid())\n".utf8).write(to: ownerFile, options: .atomic)
        chmod(ownerFile.path, 0o600)
    }

    /// Whether `pid` is a live process (a zombie waiting to be reaped is not).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    /// The server's process id, when it runs.
    package func serverPID() -> Int32? {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let first = text.split(separator: "\n").first
        else { return nil }
        return Int32(first.trimmingCharacters(in: .whitespaces))
    }

    // MARK: - Setup

    package struct ServerUser {
        package var name: String
        package var uid: uid_t
        package var gid: gid_t
    }

    /// The user the server runs as when we are root; nil when we are not root.
    package static func serverUser() throws -> ServerUser? {
        guard geteuid() == 0 else { return nil }
        let names = [ProcessInfo.processInfo.environment["NADI_PG_USER"], "postgres", "nobody"].compactMap { $0 }
        for name in names {
            if let entry = getpwnam(name) {
                return ServerUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
            }
        }
        throw EmbeddedPostgresError.noUnprivilegedUser
    }

    private func prepareDirectories(serverUser: ServerUser?) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
            for directory in [dataDirectory, socketDirectory] where !fm.fileExists(atPath: directory.path) {
                try fm.createDirectory(at: directory, withIntermediateDirectories: false)
            }
        } catch {
            throw EmbeddedPostgresError.stateDirectory("\(stateDirectory.path): \(error.localizedDescription)")
        }
        if let serverUser {
            // Root owns the state directory; the server's user may only pass through it (0710 with its group).
            guard chown(stateDirectory.path, 0, serverUser.gid) == 0, chmod(stateDirectory.path, 0o710) == 0 else {
                throw EmbeddedPostgresError.stateDirectory("cannot set owner of \(stateDirectory.path)")
            }
            for directory in [dataDirectory, socketDirectory] {
                guard chown(directory.path, serverUser.uid, serverUser.gid) == 0 else {
                    throw EmbeddedPostgresError.stateDirectory("cannot hand \(directory.path) to \(serverUser.name)")
                }
            }
        } else {
            chmod(stateDirectory.path, 0o700)
        }
        chmod(dataDirectory.path, 0o700)
        chmod(socketDirectory.path, 0o700)
    }

    private func initialize(serverUser: ServerUser?) async throws {
        logger.info("creating embedded postgres cluster", metadata: ["postgres.data": "\(dataDirectory.path)"])
        let result = try await ProcessRunner.run(
            installation.tool("initdb"),
            [
                "-D", dataDirectory.path, "-U", Self.roleName, "--auth-local=trust", "--auth-host=reject",
                "-E", "UTF8", "--locale=C", "--no-instructions",
            ],
            as: serverUser?.name)
        guard result.status == 0 else {
            var output = result.output
            if output.contains("Permission denied"), let serverUser {
                output += "\nhint: user '\(serverUser.name)' must be able to reach \(stateDirectory.path); "
                output += "choose a --state-dir outside a private home directory (e.g. /var/lib/nadi)."
            }
            throw EmbeddedPostgresError.toolFailed("initdb", output: output)
        }
        var settings = """

            # --- added by nadi: a private cluster reached only over its Unix socket ---
            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory.path)'
            unix_socket_permissions = 0700
            port = \(Self.port)
            max_connections = 100
            shared_buffers = 128MB
            timezone = 'UTC'
            log_timezone = 'UTC'

            """
        if !durable {
            // Throwaway test clusters: many parallel tests, no crash safety needed.
            // Idle sessions of finished tests' pools are ended after two minutes (a full run left
            // hundreds idle and reached the connection limit).
            settings +=
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 800\nidle_session_timeout = '120s'\n"
        }
        let configuration = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    private func ensureDatabase() async throws {
        let maintenance = url(database: "postgres")
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(),
            configuration: PostgresConnection.Configuration(
                unixSocketPath: maintenance.endpoint.socketPath ?? "", username: Self.roleName, password: nil,
                database: "postgres"),
            id: 1, logger: logger)
        do {
            try await DatabaseAdmin.ensureDatabase(Self.databaseName, on: connection, logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Serialises cluster creation and start between processes sharing the state directory.
    private func withStateLock<T>(_ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let path = stateDirectory.appendingPathComponent(".lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw EmbeddedPostgresError.stateDirectory("cannot open \(path)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}
