import Metrics
import NadiCore

/// The writer's metric handles, made once (not per batch).
struct WriterMetrics: Sendable {
    let batchSize: Recorder
    let commitSeconds: Metrics.Timer
    /// The COPY of a batch's pings, and its state step (lock, state, intervals, outbox, sightings):
    /// the two stages that overlap between batches.
    let copySeconds: Metrics.Timer
    let stateSeconds: Metrics.Timer
    /// `device_state` rows a batch took from the writer's copy (`memory`) or read (`table`).
    let stateRowsFromMemory: Counter
    let stateRowsFromTable: Counter
    /// Batches whose pings were copied while the batch before was still committing.
    let overlappedBatches: Counter
    private let accepted: [DeviceKind: Counter]
    private let duplicates: [DeviceKind: Counter]
    private let refused: [DeviceKind: Counter]

    init(factory: any MetricsFactory) {
        batchSize = Recorder(label: "nadi_ingest_batch_pings", factory: factory)
        commitSeconds = Metrics.Timer(label: "nadi_ingest_commit_seconds", factory: factory)
        copySeconds = Metrics.Timer(label: "nadi_ingest_copy_seconds", factory: factory)
        stateSeconds = Metrics.Timer(label: "nadi_ingest_state_seconds", factory: factory)
        stateRowsFromMemory = Counter(label: "nadi_ingest_state_rows_total", dimensions: [("source", "memory")], factory: factory)
        stateRowsFromTable = Counter(label: "nadi_ingest_state_rows_total", dimensions: [("source", "table")], factory: factory)
        overlappedBatches = Counter(label: "nadi_ingest_batches_overlapped_total", factory: factory)
        func counters(_ label: String) -> [DeviceKind: Counter] {
            Dictionary(
                uniqueKeysWithValues: DeviceKind.allCases.map {
                    ($0, Counter(label: label, dimensions: [("kind", $0.rawValue)], factory: factory))
                })
        }
        accepted = counters("nadi_pings_accepted_total")
        duplicates = counters("nadi_pings_duplicate_total")
        refused = counters("nadi_pings_refused_total")
    }

    /// Counts a committed job's pings by kind and outcome.
    func count(_ pings: [ResolvedPing], _ receipt: IngestReceipt) {
        // A slot per kind and outcome, and the pings read in place: a dictionary per job and a
        // copy of each ping (two string retains) showed in the writer's profile.
        let kinds = DeviceKind.allCases
        var tally = Array(repeating: (accepted: 0, duplicates: 0, refused: 0), count: kinds.count)
        for index in pings.indices {
            guard let slot = kinds.firstIndex(of: pings[index].kind) else { continue }
            if !receipt.refused.isEmpty, receipt.refused[index] != nil {
                tally[slot].refused += 1
            } else if receipt.stored[index] {
                tally[slot].accepted += 1
            } else {
                tally[slot].duplicates += 1
            }
        }
        for (slot, counts) in tally.enumerated() {
            let kind = kinds[slot]
            if counts.accepted > 0 { accepted[kind]?.increment(by: counts.accepted) }
            if counts.duplicates > 0 { duplicates[kind]?.increment(by: counts.duplicates) }
            if counts.refused > 0 { refused[kind]?.increment(by: counts.refused) }
        }
    }
}
