/// Runs an async setup once, however many callers ask at the same time; every caller gets the
/// same result. (An actor's async methods are re-entrant: a plain "if not started, start" check
/// lets two callers in.) Use from inside one actor.
struct SingleFlight<Value: Sendable> {
    private enum State {
        case idle
        case running([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private var state = State.idle

    /// True when the caller must run the setup (and then call `finish`); false when it should `wait`.
    mutating func claim() -> Bool {
        if case .idle = state {
            state = .running([])
            return true
        }
        return false
    }

    /// The finished result, if any.
    var result: Result<Value, any Error>? {
        if case .done(let result) = state { return result }
        return nil
    }

    mutating func enqueue(_ continuation: CheckedContinuation<Value, any Error>) {
        switch state {
        case .idle: state = .running([continuation])
        case .running(let waiting): state = .running(waiting + [continuation])
        case .done(let result): continuation.resume(with: result)
        }
    }

    mutating func finish(_ result: Result<Value, any Error>) {
        if case .running(let waiting) = state {
            for continuation in waiting { continuation.resume(with: result) }
        }
        state = .done(result)
    }
}
