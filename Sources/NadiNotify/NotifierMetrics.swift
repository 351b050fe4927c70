import Metrics

/// The notifier's metrics (`/metrics`): what waits, and how deliveries went per channel.
struct NotifierMetrics: Sendable {
    let factory: any MetricsFactory
    /// Outbox events committed but not read by the notifier yet.
    let eventsPending: Gauge
    /// Messages queued and not delivered yet.
    let pending: Gauge
    /// Age of the oldest undelivered message.
    let oldestUndelivered: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        eventsPending = Gauge(label: "nadi_alert_events_pending", factory: factory)
        pending = Gauge(label: "nadi_alert_deliveries_pending", factory: factory)
        oldestUndelivered = Gauge(label: "nadi_alert_oldest_undelivered_seconds", factory: factory)
    }

    /// Tries by channel and outcome (`delivered`, `retry`, `failed`).
    func deliveries(channel: String, outcome: String) -> Counter {
        Counter(label: "nadi_alert_deliveries_total", dimensions: [("channel", channel), ("outcome", outcome)], factory: factory)
    }
}
