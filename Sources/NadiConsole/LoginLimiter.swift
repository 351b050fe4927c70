import Foundation

/// Counts failed logins per key (a user name, or a client address): after `attempts` failures within
/// `lockout`, the key is refused until its oldest failure is `lockout` old. A successful login clears
/// the key. At most `maxKeys` keys are remembered; past that the key whose last failure is oldest is
/// forgotten (one at a time, so a flood of new names cannot clear the lockouts that matter).
actor LoginLimiter {
    let attempts: Int
    let lockout: TimeInterval
    let maxKeys: Int
    private var failures: [String: [Date]] = [:]

    init(attempts: Int, lockout: Duration, maxKeys: Int = 100_000) {
        self.attempts = attempts
        self.lockout = Double(lockout.components.seconds)
        self.maxKeys = maxKeys
    }

    /// Seconds until `key` may try again, or nil when it may try now.
    func retryAfter(_ key: String, now: Date = Date()) -> Int? {
        let key = key.lowercased()
        guard let all = failures[key] else { return nil }
        let recent = all.filter { now.timeIntervalSince($0) < lockout }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count >= attempts, let oldest = recent.first else { return nil }
        return max(1, Int((lockout - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    func failed(_ key: String, now: Date = Date()) {
        let key = key.lowercased()
        if failures[key] == nil, failures.count >= maxKeys { forgetOldest(now: now) }
        var list = failures.removeValue(forKey: key) ?? []
        list.append(now)
        // More than `attempts` failures in the window tell nothing more.
        if list.count > attempts { list.removeFirst(list.count - attempts) }
        failures[key] = list
    }

    func succeeded(_ key: String) { failures[key.lowercased()] = nil }

    /// How many keys are remembered.
    var count: Int { failures.count }

    /// Forgets keys whose failures have all expired; when none has, the key not locked out whose
    /// last failure is oldest (a locked key only when every key is locked).
    private func forgetOldest(now: Date) {
        failures = failures.filter { ($0.value.last.map { now.timeIntervalSince($0) < lockout }) ?? false }
        guard failures.count >= maxKeys else { return }
        let open = failures.filter { $0.value.count < attempts }
        let candidates = open.isEmpty ? failures : open
        guard let oldest = candidates.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) }) else { return }
        failures[oldest.key] = nil
    }
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
