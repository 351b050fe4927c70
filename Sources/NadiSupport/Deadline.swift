import Synchronization

/// Something awaited with `withDeadline` did not finish in time: the database, a request body, a
/// probe — the caller says which in its own words.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    /// The deadline that passed.
    package let limit: Duration
    package var description: String { "no answer within \(limit.components.seconds) s" }
    package init(limit: Duration) { self.limit = limit }
}

/// Runs `body`, giving up with `DeadlineExceeded` after `limit` — truly: the caller gets its answer
/// at the deadline even when `body` ignores cancellation. (postgres-nio's pool lets a request wait
/// for a connection as long as the server is away, and some of its waits do not end on
/// cancellation; a task group would wait for such a child for good, which once wedged the ingest
/// writer.) So `body` runs in its own task, which is cancelled at the deadline and left to finish
/// on its own; whatever it returns after that is dropped. Callers must treat a late completion as
/// possible: the ingest writer does, since a batch committed after its deadline only makes the
/// client's retry count as duplicates.
///
/// `abandonWhen`, when given, is a second reason to give up: it returns the error to answer with
/// (the database client moved to another server, say), or nil when it was cancelled.
package func withDeadline<T: Sendable>(
    _ limit: Duration, abandonWhen: (@Sendable () async -> (any Error)?)? = nil, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            guard race.install(continuation) else { return }
            let work = Task {
                do {
                    race.finish(.success(try await body()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                guard let abandonWhen else {
                    try? await Task.sleep(for: limit)
                    race.finish(.failure(DeadlineExceeded(limit: limit)))
                    return
                }
                await withTaskGroup(of: (any Error)?.self) { group in
                    group.addTask {
                        try? await Task.sleep(for: limit)
                        return Task.isCancelled ? nil : DeadlineExceeded(limit: limit)
                    }
                    group.addTask { await abandonWhen() }
                    if let first = await group.next(), let error = first { race.finish(.failure(error)) }
                    group.cancelAll()
                }
            }
            race.track(work: work, timer: timer)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of body, timer and cancellation to finish answers the caller; the others are dropped.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    /// Keeps the continuation; false (and answered) when the race was already decided (cancelled
    /// before it started).
    func install(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early: Result<T, any Error>? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    func track(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let decided = state.withLock { state -> Bool in
            state.work = work
            state.timer = timer
            return state.outcome != nil
        }
        if decided {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            guard state.outcome == nil else { return (nil, nil, nil) }
            state.outcome = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        work?.cancel()
        timer?.cancel()
        continuation?.resume(with: outcome)
    }
}
