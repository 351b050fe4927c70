import Metrics
import NadiCore
import Prometheus

/// The daemon's Prometheus registry and the metrics set by request handlers.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["nadi_ingest_batch_pings"] = [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000]
        factory.durationHistogramBuckets["nadi_ingest_commit_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
    }

    func received(_ count: Int) {
        Counter(label: "nadi_pings_received_total", factory: factory).increment(by: count)
    }

    func rejected(kind: String, _ count: Int = 1) {
        Counter(label: "nadi_pings_rejected_total", dimensions: [("kind", kind)], factory: factory).increment(by: count)
    }

    func queueDepth(_ depth: Int) {
        registry.makeGauge(name: "nadi_ingest_queue_depth", help: "Pings waiting for the batch writer").set(Double(depth))
    }

    func oldestQueued(_ wait: Duration) {
        registry.makeGauge(
            name: "nadi_ingest_oldest_queued_seconds", help: "How long the oldest waiting ingest request has waited for the writer"
        ).set(wait.seconds)
    }

    func devices(kind: String, status: String, count: Int) {
        registry.makeGauge(name: "nadi_devices", labels: [("kind", kind), ("status", status)]).set(Double(count))
    }
}
