package import Metrics
package import Prometheus

/// A swift-metrics factory over a Prometheus registry that names and describes every metric from
/// `MetricCatalog` (swift-prometheus' own factory registers them without help text, and under
/// Hummingbird's dotted labels).
package struct DescribedMetricsFactory: MetricsFactory {
    package let registry: PrometheusCollectorRegistry
    /// Histogram buckets by metric label, for the few that need their own.
    var durationBuckets: [String: [Duration]] = [:]
    var valueBuckets: [String: [Double]] = [:]

    static let defaultDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    static let defaultValueBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        valueBuckets["nadi_ingest_batch_pings"] = [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000]
        durationBuckets["nadi_ingest_commit_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
    }

    /// The catalog entry as swift-prometheus names it: the full name (units are part of it) and its help.
    static func descriptor(_ entry: MetricCatalog.Entry) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: entry.name, unitName: "", helpText: entry.help)
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let entry = MetricCatalog.entry(for: label)
        return registry.makeCounter(descriptor: Self.descriptor(entry), labels: dimensions)
    }

    package func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let entry = MetricCatalog.entry(for: label)
        return registry.makeCounter(descriptor: Self.descriptor(entry), labels: dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let entry = MetricCatalog.entry(for: label)
        guard aggregate else { return registry.makeGauge(descriptor: Self.descriptor(entry), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: Self.descriptor(entry), labels: dimensions, buckets: valueBuckets[label] ?? Self.defaultValueBuckets)
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let entry = MetricCatalog.entry(for: label)
        return registry.makeGauge(descriptor: Self.descriptor(entry), labels: dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let entry = MetricCatalog.entry(for: label)
        return registry.makeDurationHistogram(
            descriptor: Self.descriptor(entry), labels: dimensions, buckets: durationBuckets[label] ?? Self.defaultDurationBuckets)
    }

    package func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    package func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as Histogram<Double>: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    package func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    package func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? Histogram<Duration> { registry.unregisterDurationHistogram(histogram) }
    }
}
