import Foundation
package import NadiStore
package import PostgresNIO

/// Runs `body` with a connected `DatabaseClient` (its `run()` going in a child task).
package enum TestClient {
    package static func with<T: Sendable>(
        _ url: DatabaseURL, maximumConnections: Int = 4, _ body: (DatabaseClient) async throws -> T
    ) async throws -> T {
        var configuration = try url.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        let client = DatabaseClient(configuration: configuration, backgroundLogger: TestCluster.quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The single value of a one-row, one-column query.
    /// Registers videotrons with ids `ids` (external ids `prefix` + id) in 16.71.01, each with a
    /// `device_state` row that has seen nothing yet: the writer's tests drive its state step with them.
    package static func registerVideotrons(_ ids: [Int64], prefix: String, on client: DatabaseClient) async throws {
        _ = try await client.query(
            """
            INSERT INTO device (id, external_id, kind, region, name, installed_on, attributes)
            SELECT id, \(prefix) || id, 'videotron', '16.71.01', \(prefix) || id, '2024-01-01', '{"size_m2":1}' FROM unnest(\(ids)::bigint[]) id
            """)
        _ = try await client.query(
            "INSERT INTO device_state (device_id, status, reason) SELECT id, 'unknown', 'never_seen' FROM unnest(\(ids)::bigint[]) id")
    }

    package static func scalar<T: PostgresDecodable & Sendable>(
        _ client: DatabaseClient, _ query: PostgresQuery, as type: T.Type = T.self
    ) async throws -> T? {
        var value: T?
        for try await row in try await client.query(query).decode(T.self) { value = row }
        return value
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Process checks for tests.
package enum ProcessCheck {
    /// Waits up to `timeout` for `pid` to exit (a stopped server may take a moment to finish exiting);
    /// true when it is gone.
    package static func waitUntilGone(_ pid: Int32, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isAlive(pid) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// True when `pid` names a live process (a zombie waiting to be reaped does not count).
    package static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }
}
