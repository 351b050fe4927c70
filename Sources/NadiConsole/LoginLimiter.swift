import Foundation

/// Counts failed logins per user name: after `attempts` failures within `lockout`, the name is
/// refused until the oldest failure is `lockout` old. A successful login clears the name.
actor LoginLimiter {
    let attempts: Int
    let lockout: TimeInterval
    private var failures: [String: [Date]] = [:]

    init(attempts: Int, lockout: Duration) {
        self.attempts = attempts
        self.lockout = Double(lockout.components.seconds)
    }

    /// Seconds until `name` may try again, or nil when it may try now.
    func retryAfter(_ name: String, now: Date = Date()) -> Int? {
        let recent = (failures[name.lowercased()] ?? []).filter { now.timeIntervalSince($0) < lockout }
        failures[name.lowercased()] = recent.isEmpty ? nil : recent
        guard recent.count >= attempts, let oldest = recent.first else { return nil }
        return max(1, Int((lockout - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    func failed(_ name: String, now: Date = Date()) {
        failures[name.lowercased(), default: []].append(now)
        if failures.count > 100_000 { failures.removeAll() }
    }

    func succeeded(_ name: String) { failures[name.lowercased()] = nil }
}

/// Token buckets for the public school pages: one per visitor (so one scraper cannot starve the
/// parents) and one for everyone together (so many cannot overload the database). A bucket holds
/// two seconds' worth of pages (at least one).
actor PublicPageLimiter {
    struct Bucket {
        var tokens: Double
        var last: ContinuousClock.Instant

        /// Refills at `rate` per second since `last`; true (and one token spent) when one is left.
        mutating func take(rate: Double, now: ContinuousClock.Instant) -> Bool {
            let elapsed = now - last
            last = now
            tokens = min(
                Self.capacity(rate), tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        static func capacity(_ rate: Double) -> Double { max(1, rate * 2) }
    }

    let rate: Double
    let perVisitor: Double
    /// Visitors remembered at most; past that the fullest (idle longest) buckets are forgotten.
    let maxVisitors: Int
    private var everyone: Bucket
    private var visitors: [String: Bucket] = [:]

    init(perSecond rate: Double, perVisitor: Double, maxVisitors: Int = 10_000) {
        self.rate = rate
        self.perVisitor = perVisitor
        self.maxVisitors = maxVisitors
        self.everyone = Bucket(tokens: Bucket.capacity(rate), last: .now)
    }

    /// True when one more page may be served now to `visitor` (an address; nil when unknown).
    func take(visitor: String?) -> Bool {
        let now = ContinuousClock.now
        if let visitor {
            var bucket = visitors[visitor] ?? Bucket(tokens: Bucket.capacity(perVisitor), last: now)
            let allowed = bucket.take(rate: perVisitor, now: now)
            visitors[visitor] = bucket
            if visitors.count > maxVisitors { forgetIdle(now: now) }
            guard allowed else { return false }
        }
        return everyone.take(rate: rate, now: now)
    }

    /// Drops the buckets that have refilled (they hold nothing a new bucket would not).
    private func forgetIdle(now: ContinuousClock.Instant) {
        let refill = Duration.seconds(2)
        visitors = visitors.filter { now - $0.value.last < refill }
    }
}
