package import Foundation
package import NadiLauncher
import NadiStore
import NadiTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// PostgreSQL clusters of their own, in temporary directories, for the replication tests: a primary
/// and hot standbys streaming from it (`pg_basebackup -R`), each reached over its own Unix socket.
/// Stopped and removed by `with`, whatever the body did.
package struct ReplicatedClusters: Sendable {
    package let root: URL
    package let installation: PostgresInstallation

    /// A fresh root directory the server's user can pass through; `body` runs with it, then every
    /// cluster under it is stopped (immediate mode) and the directory removed.
    package static func with<T: Sendable>(_ body: @Sendable (ReplicatedClusters) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-repl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        let clusters = ReplicatedClusters(root: root, installation: try await PostgresInstallation.locate())
        do {
            let result = try await body(clusters)
            await clusters.stopAll()
            return result
        } catch {
            await clusters.stopAll()
            throw error
        }
    }

    package func cluster(_ name: String) -> EmbeddedPostgres {
        EmbeddedPostgres(
            stateDirectory: root.appendingPathComponent(name), installation: installation, durable: false, logger: TestCluster.quietLogger)
    }

    /// Creates and starts a primary named `name`; `settings` are added to its configuration.
    package func primary(_ name: String, settings: [String] = []) async throws -> EmbeddedPostgres {
        let primary = cluster(name)
        _ = try await primary.start()
        if !settings.isEmpty {
            try append(settings, to: primary)
            try await pgCtl(primary, ["reload"])
        }
        return primary
    }

    /// A primary set up as the README says, through the built `nadi`: `nadi migrate`, then
    /// `nadi regions import --builtin`. `restartWith` are settings that need a restart
    /// (`wal_level = logical` for a federation's publisher).
    package func setUpPrimary(_ name: String, restartWith settings: [String] = []) async throws -> EmbeddedPostgres {
        let primary = try await primary(name)
        if !settings.isEmpty {
            try append(settings, to: primary)
            try await primary.stop()
            _ = try await primary.start()
        }
        for setup in [["migrate"], ["regions", "import", "--builtin"]] {
            let run = try await NadiCLI.run(setup, url: NadiCLI.databaseText(primary.url))
            guard run.status == 0 else { throw ChildProcessError(description: "nadi \(setup.joined(separator: " ")): \(run.output)") }
        }
        return primary
    }

    /// A hot standby of `primary` named `name` (its `application_name` too, for
    /// `synchronous_standby_names`), streaming from it; started and accepting read-only sessions.
    package func standby(_ name: String, of primary: EmbeddedPostgres) async throws -> EmbeddedPostgres {
        let standby = cluster(name)
        let user = try EmbeddedPostgres.serverUser()
        try FileManager.default.createDirectory(at: standby.stateDirectory, withIntermediateDirectories: true)
        for directory in [standby.dataDirectory, standby.socketDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let user { chown(directory.path, user.uid, user.gid) }
            chmod(directory.path, 0o700)
        }
        if let user {
            chown(standby.stateDirectory.path, 0, user.gid)
            chmod(standby.stateDirectory.path, 0o710)
        }
        let backup = try await ProcessRunner.run(
            installation.tool("pg_basebackup"),
            [
                "-D", standby.dataDirectory.path, "-h", primary.socketDirectory.path, "-p", "5432", "-U", EmbeddedPostgres.roleName, "-X",
                "stream", "-R", "-c", "fast",
            ],
            as: user?.name)
        guard backup.status == 0 else { throw ChildProcessError(description: "pg_basebackup: \(backup.output)") }
        try append(
            [
                "unix_socket_directories = '\(standby.socketDirectory.path)'",
                "primary_conninfo = 'host=\(primary.socketDirectory.path) port=5432 user=\(EmbeddedPostgres.roleName) application_name=\(name)'",
                "hot_standby = on",
                // Copied from the primary with the base backup; promoted, this one has no standby to wait for.
                "synchronous_standby_names = ''",
            ], to: standby)
        _ = try await standby.start()
        return standby
    }

    /// Appends `lines` to the cluster's postgresql.auto.conf (read after postgresql.conf).
    package func append(_ lines: [String], to cluster: EmbeddedPostgres) throws {
        let file = cluster.dataDirectory.appendingPathComponent("postgresql.auto.conf")
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Runs `pg_ctl` with `arguments` on the cluster's data directory.
    @discardableResult
    package func pgCtl(_ cluster: EmbeddedPostgres, _ arguments: [String]) async throws -> ProcessRunner.Result {
        let result = try await ProcessRunner.run(
            installation.tool("pg_ctl"), ["-D", cluster.dataDirectory.path, "-w", "-t", "60", "-s"] + arguments,
            as: try EmbeddedPostgres.serverUser()?.name)
        guard result.status == 0 else { throw ChildProcessError(description: "pg_ctl \(arguments): \(result.output)") }
        return result
    }

    /// Kills the cluster's postmaster with SIGKILL (no shutdown: what a crashed machine does), and
    /// its backends with it.
    package func kill(_ cluster: EmbeddedPostgres) async {
        guard let pid = cluster.serverPID() else { return }
        // Its backends first noted, then the postmaster killed, then them: none keeps serving.
        let children =
            (try? await ProcessRunner.run("/usr/bin/pgrep", ["-P", "\(pid)"]))?.output.split(separator: "\n").compactMap {
                Int32($0.trimmingCharacters(in: .whitespaces))
            } ?? []
        Glibc.kill(pid, SIGKILL)
        for child in children { Glibc.kill(child, SIGKILL) }
        for _ in 0..<100 where Glibc.kill(pid, 0) == 0 { try? await Task.sleep(for: .milliseconds(50)) }
    }

    private func stopAll() async {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names {
            let cluster = cluster(name)
            guard await cluster.isRunning() else { continue }
            _ = try? await ProcessRunner.run(
                installation.tool("pg_ctl"), ["-D", cluster.dataDirectory.path, "-m", "immediate", "-w", "-s", "stop"],
                as: try? EmbeddedPostgres.serverUser()?.name)
        }
        try? FileManager.default.removeItem(at: root)
    }
}
