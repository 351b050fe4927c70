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

/// A token bucket shared by every visitor of the public school pages.
actor PublicPageLimiter {
    let rate: Double
    private var tokens: Double
    private var last = ContinuousClock.now

    init(perSecond rate: Double) {
        self.rate = rate
        self.tokens = rate * 2
    }

    /// True when one more page may be served now.
    func take() -> Bool {
        let now = ContinuousClock.now
        let elapsed = now - last
        last = now
        tokens = min(rate * 2, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
