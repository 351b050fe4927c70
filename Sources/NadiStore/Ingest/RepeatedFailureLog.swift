/// Logs a failure the first time, then the same failure at most once per period with how many
/// were left out in between.
package struct RepeatedFailureLog: Sendable {
    let every: Duration
    private var last: (reason: String, at: ContinuousClock.Instant)?
    private var suppressed = 0

    package init(every: Duration) { self.every = every }

    package mutating func note(_ reason: String, log: (Int) -> Void) {
        let now = ContinuousClock.now
        if let last, last.reason == reason, now - last.at < every {
            suppressed += 1
            return
        }
        log(suppressed)
        last = (reason, now)
        suppressed = 0
    }
}
