package import Foundation
import NadiCore
import NadiLauncher
package import NadiStore
package import NadiTestSupport

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `nadid` on a fresh migrated test database (regions loaded), with an all-scopes
/// token: what the tools nobody here wrote (Prometheus, promtool, schemathesis) talk to.
package struct LiveDaemon: Sendable {
    package let port: Int
    package let token: String
    package let database: DatabaseURL
    package let process: ChildProcess

    package init(port: Int, token: String, database: DatabaseURL, process: ChildProcess) {
        self.port = port
        self.token = token
        self.database = database
        self.process = process
    }

    package var base: URL { URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/") }

    /// Starts nadid, runs `body`, and stops nadid (SIGTERM) whatever `body` did.
    package static func with<T: Sendable>(extra: [String] = [], _ body: @Sendable (LiveDaemon) async throws -> T) async throws -> T {
        let database = try await TestCluster.shared.migratedDatabase()
        let token = try await TestClient.with(database) { client in
            try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "contracts", region: nil, scopes: Set(TokenScope.allCases)
            ).1
        }
        let daemon = try await start(on: database, token: token, extra: extra)
        do {
            let result = try await body(daemon)
            await daemon.stop()
            return result
        } catch {
            await daemon.stop()
            throw error
        }
    }

    /// Starts one more built nadid on `database` (already migrated), answering to `token`.
    package static func start(on database: DatabaseURL, token: String, extra: [String] = []) async throws -> LiveDaemon {
        let port = ChildProcess.freePort()
        let process = try await Daemon.start(
            stateDir: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString.prefix(6))"), port: port,
            extra: ["--no-poll"] + extra, environment: ["NADI_DATABASE_URL": NadiCLI.databaseText(database)])
        return LiveDaemon(port: port, token: token, database: database, process: process)
    }

    package func stop() async {
        process.send(SIGTERM)
        if await process.wait(timeout: .seconds(20)) == nil { process.send(SIGKILL) }
    }

    /// POSTs a JSON body with the token; the status (0 when nothing answered) and body.
    package func post(_ path: String, _ body: String) async -> (status: Int, body: String) {
        let (status, data) = await Daemon.post(base.appendingPathComponent(path), token: token, body: body)
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// GETs `path` (with the token); the status and body.
    package func get(_ path: String) async -> (status: Int, body: String) {
        guard let url = URL(string: path, relativeTo: base) else { return (0, "") }
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 20
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return (0, "") }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

/// A tool run to the end: its exit status and what it printed (stdout and stderr).
package struct ToolRun: Sendable {
    package var status: Int32?
    package var output: String

    /// Runs `command` through `/bin/sh -c` (so it may redirect), up to `timeout`.
    package static func shell(_ command: String, environment: [String: String] = [:], timeout: Duration = .seconds(120)) async throws
        -> ToolRun
    {
        let process = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", command], environment: environment)
        let status = await process.wait(timeout: timeout)
        if status == nil { process.send(SIGKILL) }
        return ToolRun(status: status, output: process.output)
    }
}
