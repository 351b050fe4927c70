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
    private let windows = Mutex<[String: Window]>([:])
    private let dropped: Counter

    init(perMinute: Int, metrics: any MetricsFactory) {
        self.perMinute = perMinute
        self.dropped = Counter(label: "nadi_sightings_dropped_total", factory: metrics)
    }

    /// True when one more sighting from `source` may be recorded now.
    func allow(source: String) -> Bool {
        let allowed = windows.withLock { windows -> Bool in
            let now = ContinuousClock.now
            var window = windows[source] ?? Window()
            if now - window.started >= .seconds(60) { window = Window(started: now) }
            guard window.used < perMinute else { return false }
            window.used += 1
            windows[source] = window
            return true
        }
        if !allowed { dropped.increment() }
        return allowed
    }
}
