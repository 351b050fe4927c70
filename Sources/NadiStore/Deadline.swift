/// The database did not answer in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let description = "the database did not answer in time"
}

/// Runs `body`, giving up with `DeadlineExceeded` after `limit`. (postgres-nio's pool lets a request
/// wait for a connection as long as the server is away; the daemon must answer 503 instead.)
public func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        return first
    }
}
