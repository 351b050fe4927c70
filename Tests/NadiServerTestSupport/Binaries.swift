package import Foundation
import NadiBench
package import NadiLauncher
package import NadiStore
import NadiSupport
package import NadiTestSupport

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Starting the built nadid on an embedded cluster, and seeding it.
package enum Daemon {
    package static func start(stateDir: URL, port: Int, extra: [String] = [], environment: [String: String] = [:]) async throws
        -> ChildProcess
    {
        let process = try ChildProcess(
            product: "nadid", arguments: ["--state-dir", stateDir.path, "--port", String(port), "--no-image-checks"] + extra,
            environment: environment)
        try await waitUntilReady(process, port: port)
        return process
    }

    /// Waits until the nadid `process` answers `/readyz` on `port` with 200; when it exits or does
    /// not within `timeout`, kills it and throws with the end of its output.
    package static func waitUntilReady(_ process: ChildProcess, port: Int, timeout: Duration = .seconds(60)) async throws {
        let readyz = URL(string: "http://127.0.0.1:\(port)/readyz") ?? URL(fileURLWithPath: "/")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: readyz), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            if await process.wait(timeout: .zero) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.send(SIGKILL)
        throw ChildProcessError(description: "nadid did not become ready within \(timeout): \(process.output.suffix(2000))")
    }

    /// Imports a region, creates an ingest token and registers `devices` videotrons CRASH-0….
    package static func seed(cluster: EmbeddedPostgres, devices: Int, base: URL) async throws -> String {
        let token = try await TestClient.with(cluster.url) { client async throws in
            _ = try await RegionImporter(client: client, logger: TestCluster.quietLogger).importRows(
                RegionImporter.parse(
                    CSVDocument(data: Data("code,parent_code,level,name,type\n16,,province,Sumatera Selatan,provinsi\n".utf8))))
            return try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "crash", region: nil, scopes: [.ingest, .inventory]
            ).1
        }
        let records = (0..<devices).map {
            #"{"id":"CRASH-\#($0)","kind":"videotron","region":"16","name":"Crash \#($0)","installed":"2025-01-01","attributes":{"size_m2":10}}"#
        }
        let (status, _) = await Daemon.post(
            base.appendingPathComponent("v1/inventory"), token: token, body: "[\(records.joined(separator: ","))]")
        guard status == 200 else { throw ChildProcessError(description: "registering devices failed: \(status)") }
        return token
    }

    /// POSTs a JSON body; returns the status (0 when the connection failed).
    package static func post(_ url: URL, token: String, body: String) async -> (Int, Data) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 20
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            return (0, Data())
        }
    }
}

/// Running the built `nadi` against a database given by URL, as an operator would.
package enum NadiCLI {
    /// The URL of `url` as an operator would write it (socket directory as `host=`).
    package static func databaseText(_ url: DatabaseURL, database: String? = nil) -> String {
        let socket = url.endpoint.socketPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ""
        return "postgres://\(url.username)@/\(database ?? url.database ?? "")?host=\(socket)"
    }

    package static func run(_ arguments: [String], url: String, timeout: Duration = .seconds(60)) async throws -> (
        status: Int32?, output: String, took: Duration
    ) {
        let started = ContinuousClock.now
        let process = try ChildProcess(product: "nadi", arguments: arguments + ["--database-url", url], environment: ["NO_COLOR": "1"])
        let status = await process.wait(timeout: timeout)
        if status == nil { process.send(SIGKILL) }
        return (status, process.output, ContinuousClock.now - started)
    }

    /// Runs `nadi` on the database at `url` (its connection string); the exit status (-1 when it
    /// had to be killed after a minute) and its output.
    package static func run(_ arguments: [String], on url: DatabaseURL) async throws -> (status: Int32, output: String) {
        let process = try ChildProcess(
            product: "nadi", arguments: arguments + ["--database-url", url.connectionString], environment: ["NO_COLOR": "1"])
        let status = await process.wait(timeout: .seconds(60)) ?? -1
        if status == -1 { process.send(SIGKILL) }
        return (status, process.output)
    }

    /// Writes `text` to a new temporary file (for `nadi … import`); its path.
    package static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-cli-\(UUID().uuidString.prefix(8)).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `GET /readyz` over a fresh connection: its status, or 0 when nothing answered within 5 s.
package enum ReadyProbe {
    /// `/readyz`'s status, 0 when it did not answer. (It answers within 2 s by itself; the probe
    /// waits longer because the whole suite on two cores slows every process several times over.)
    package static func status(port: Int) async -> Int {
        let answer = try? await withDeadline(.seconds(10)) {
            try await HTTPConnection.with(host: "127.0.0.1", port: port) { http in try await http.get("/readyz") }
        }
        return answer?.status ?? 0
    }
}
