/// Every metric `nadid` exports on `/metrics`: the Prometheus name and help text for each label
/// the code (and Hummingbird's `MetricsMiddleware`) records under. One place, so names follow
/// Prometheus' conventions (`_total` on counters, base units in the name) and none lacks help.
package enum MetricCatalog {
    /// What a swift-metrics label is exported as.
    package struct Entry: Sendable {
        /// The Prometheus metric name.
        package var name: String
        /// The `# HELP` text.
        package var help: String
    }

    /// By the label the code records under.
    package static let entries: [String: Entry] = {
        var entries: [String: Entry] = [:]
        func add(_ label: String, as name: String? = nil, _ help: String) { entries[label] = Entry(name: name ?? label, help: help) }
        // Ingest.
        add("nadi_pings_received_total", "Ping records received over HTTP, before validation")
        add(
            "nadi_pings_rejected_total",
            "Ping records rejected before the writer, by device kind (unknown: undecodable or invalid; unregistered: no such device)")
        add("nadi_pings_accepted_total", "Pings committed to the database, by device kind")
        add("nadi_pings_duplicate_total", "Pings already stored (same device and time), by device kind")
        add("nadi_pings_refused_total", "Pings the writer refused at commit (e.g. before the device was installed), by device kind")
        add("nadi_sightings_dropped_total", "Sightings of unregistered devices not recorded because a per-minute limit was reached")
        add("nadi_ingest_batch_pings", "Pings per committed writer batch")
        add("nadi_ingest_commit_seconds", "Seconds to store and commit one writer batch")
        add("nadi_ingest_copy_seconds", "Seconds a writer batch spent copying its pings")
        add(
            "nadi_ingest_state_seconds",
            "Seconds a writer batch spent in its state step (device state, intervals, alert outbox, sightings), one batch at a time")
        add(
            "nadi_ingest_state_rows_total",
            "device_state rows a writer batch needed, by source (memory: the writer's own copy; table: read from PostgreSQL)")
        add("nadi_ingest_batches_overlapped_total", "Writer batches whose pings were copied while the batch before was still committing")
        add("nadi_ingest_queue_depth", "Pings waiting for the batch writer")
        add("nadi_ingest_oldest_queued_seconds", "Seconds the oldest waiting ingest request has waited for the writer")
        // Fleet.
        add("nadi_devices", "Devices in service by kind and state")
        add("nadi_devices_silent", "Devices down because they went silent, by kabupaten/kota")
        // Audit trail.
        add("nadi_audit_events_last_hour", "Changes recorded in the audit trail in the last hour, by actor")
        // Alerts.
        add("nadi_alert_events_pending", "Status changes committed to the alert outbox and not yet read by the notifier")
        add("nadi_alert_deliveries_pending", "Alert messages queued and not delivered yet")
        add("nadi_alert_oldest_undelivered_seconds", "Age in seconds of the oldest undelivered alert message")
        add("nadi_alert_deliveries_total", "Alert delivery attempts by channel and outcome (delivered, retry, failed)")
        // HTTP (Hummingbird's MetricsMiddleware).
        add("hb.requests", as: "nadi_http_requests_total", "HTTP requests answered, by route, method and status")
        add("hb.request.errors", as: "nadi_http_request_errors_total", "HTTP requests that ended in an error, by route and method")
        add("http.server.request.duration", as: "nadi_http_request_duration_seconds", "Seconds to answer an HTTP request")
        add("http.server.active_requests", as: "nadi_http_active_requests", "HTTP requests being answered now")
        return entries
    }()

    /// The entry for `label`; a label not in the catalog keeps its name (`/metrics`' lint test
    /// then fails on its missing help text).
    package static func entry(for label: String) -> Entry {
        entries[label] ?? Entry(name: label, help: "")
    }
}
