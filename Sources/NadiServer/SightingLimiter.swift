import Metrics
import Synchronization

/// Limits how many sightings of unregistered devices are recorded per source and minute, so an
/// unauthenticated client (`/iclock` takes no token) cannot grow the database at will. The table
/// itself is capped too (`BatchInserter.maxSightings`).
final class SightingLimiter: Sendable {
    /// Most sightings one request records (one per distinct id).
    static let perRequest = 100

    private struct Window {
        var started = ContinuousClock.now
        var used = 0
    }

    private let perMinute: Int
    /// Most of a source's minute one client address may use: one client cannot take the quota.
    var perAddress: Int { max(1, perMinute / 10) }
    private let windows = Mutex<[String: Window]>([:])
    private let dropped: Counter

    init(perMinute: Int, metrics: any MetricsFactory) {
        self.perMinute = perMinute
        self.dropped = Counter(label: "nadi_sightings_dropped_total", factory: metrics)
    }

    /// True when one more sighting from `source` may be recorded now (and, with `address`, when
    /// that client has not used its share of the source's minute).
    func allow(source: String, address: String? = nil) -> Bool {
        let allowed = windows.withLock { windows -> Bool in
            let now = ContinuousClock.now
            func take(_ key: String, _ limit: Int) -> Bool {
                var window = windows[key] ?? Window()
                if now - window.started >= .seconds(60) { window = Window(started: now) }
                guard window.used < limit else { return false }
                window.used += 1
                windows[key] = window
                return true
            }
            if let address {
                if windows.count > 10_000 { windows = windows.filter { now - $0.value.started < .seconds(60) } }
                guard take(source + " " + address, perAddress) else { return false }
            }
            return take(source, perMinute)
        }
        if !allowed { dropped.increment() }
        return allowed
    }
}
