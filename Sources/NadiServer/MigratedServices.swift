import Logging
import NadiStore
import ServiceLifecycle
import Synchronization

/// Migrates the database first, then runs the services that need the schema (writer, sweeper,
/// poller, listener); the HTTP server waits on the same `gate` before it accepts connections. (The
/// pattern of Hummingbird's internal PreludeService: nothing touches a table before it exists.)
struct MigratedServices: Service {
    let gate: MigrationGate
    let migrate: @Sendable () async throws -> Void
    let services: [any Service]

    func run() async throws {
        do {
            try await migrate()
            gate.finish(.success(()))
        } catch {
            gate.finish(.failure(error))
            throw error
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            try await group.waitForAll()
        }
    }
}

/// Opens once the migrations are applied (or failed); whoever waits gets the outcome.
final class MigrationGate: Sendable {
    private struct State {
        var outcome: Result<Void, any Error>?
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }
    private let state = Mutex(State())

    func finish(_ outcome: Result<Void, any Error>) {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.outcome = outcome
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(with: outcome) }
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Void, any Error>? in
                if state.outcome == nil { state.waiting.append(continuation) }
                return state.outcome
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
