package import Testing

/// Waits for a condition instead of sleeping a guessed time: asks `probe` every `every` until
/// `done` accepts its answer, and returns that answer. At the deadline it records an issue at the
/// caller's line (`sourceLocation`) that says what was awaited and what `probe` answered last, and
/// returns that last answer, so the test's own expectations can say more.
@discardableResult
package func eventually<T: Sendable>(
    _ awaited: String, timeout: Duration = .seconds(10), every: Duration = .milliseconds(100),
    sourceLocation: SourceLocation = #_sourceLocation, _ probe: () async throws -> T, until done: (T) -> Bool
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = try await probe()
    while !done(last) {
        guard ContinuousClock.now < deadline else {
            Issue.record("\(awaited): not within \(timeout); last seen: \(last)", sourceLocation: sourceLocation)
            return last
        }
        try await Task.sleep(for: every)
        last = try await probe()
    }
    return last
}

/// Checks that `probe`'s answer stays accepted by `holds` for all of `period` (for "nothing else
/// follows" after an awaited event), recording an issue at the caller's line with the first answer
/// that broke it.
package func staysTrue<T: Sendable>(
    _ claim: String, for period: Duration, every: Duration = .milliseconds(100),
    sourceLocation: SourceLocation = #_sourceLocation, _ probe: () async throws -> T, holds: (T) -> Bool
) async throws {
    let end = ContinuousClock.now + period
    while ContinuousClock.now < end {
        let value = try await probe()
        guard holds(value) else {
            Issue.record("\(claim): broken within \(period): \(value)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: every)
    }
}
