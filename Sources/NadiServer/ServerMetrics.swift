import Metrics
import NadiCore
import Prometheus
import Synchronization

/// The daemon's Prometheus registry and the metrics set by request handlers (names and help
/// texts in `MetricCatalog`).
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: DescribedMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.factory = DescribedMetricsFactory(registry: registry)
    }

    func received(_ count: Int) {
        Counter(label: "nadi_pings_received_total", factory: factory).increment(by: count)
    }

    func rejected(kind: String, _ count: Int = 1) {
        Counter(label: "nadi_pings_rejected_total", dimensions: [("kind", kind)], factory: factory).increment(by: count)
    }

    func queueDepth(_ depth: Int) {
        Gauge(label: "nadi_ingest_queue_depth", factory: factory).record(depth)
    }

    func oldestQueued(_ wait: Duration) {
        Gauge(label: "nadi_ingest_oldest_queued_seconds", factory: factory).record(wait.seconds)
    }

    /// Sets `nadi_devices{region,kind,status}` and `nadi_devices_silent{region}` from one reading
    /// of the fleet (by kabupaten/kota); a series reported before and absent now is set to zero,
    /// so a regency whose last silent device came back reads 0, not its old count.
    func fleet(_ rows: [(regency: String, kind: String, status: String, count: Int, silent: Int)]) {
        var devices: [FleetKey: Int] = [:]
        var silent: [String: Int] = [:]
        for row in rows {
            devices[FleetKey(regency: row.regency, kind: row.kind, status: row.status), default: 0] += row.count
            silent[row.regency, default: 0] += row.silent
        }
        let (staleDevices, staleSilent) = reported.withLock { reported in
            let stale = (reported.devices.subtracting(devices.keys), reported.silent.subtracting(silent.keys))
            reported.devices.formUnion(devices.keys)
            reported.silent.formUnion(silent.keys)
            return stale
        }
        for key in staleDevices { devices[key] = 0 }
        for regency in staleSilent { silent[regency] = 0 }
        for (key, count) in devices {
            Gauge(
                label: "nadi_devices", dimensions: [("region", key.regency), ("kind", key.kind), ("status", key.status)], factory: factory
            ).record(count)
        }
        for (regency, count) in silent {
            Gauge(label: "nadi_devices_silent", dimensions: [("region", regency)], factory: factory).record(count)
        }
    }

    /// Sets `nadi_audit_events_last_hour{actor}`; an actor seen before and quiet now reads 0.
    func audit(_ rows: [(actor: String, count: Int)]) {
        var counts = Dictionary(rows.map { ($0.actor, $0.count) }) { a, b in a + b }
        let stale = reportedActors.withLock { reported in
            let stale = reported.subtracting(counts.keys)
            reported.formUnion(counts.keys)
            return stale
        }
        for actor in stale { counts[actor] = 0 }
        for (actor, count) in counts {
            Gauge(label: "nadi_audit_events_last_hour", dimensions: [("actor", actor)], factory: factory).record(count)
        }
    }

    private let reportedActors = Mutex<Set<String>>([])

    private struct FleetKey: Hashable {
        var regency: String
        var kind: String
        var status: String
    }

    private let reported = Mutex<(devices: Set<FleetKey>, silent: Set<String>)>(([], []))
}
