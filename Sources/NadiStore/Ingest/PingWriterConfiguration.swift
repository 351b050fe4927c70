package import Foundation

/// Settings of the batch writer.
package struct PingWriterConfiguration: Sendable {
    /// Most pings committed in one transaction.
    package var maxBatchPings = 20_000
    /// Missed heartbeats that make a device silent.
    package var missCount = 3
    /// How often the writer looks for newest ping times to write to `device_state.last_seen`.
    package var flushInterval: Duration = .seconds(2)
    /// How far `device_state.last_seen` may lag behind a device's newest ping (or one heartbeat
    /// interval, when that is shorter). Writing every ping's time would cost an index update per
    /// ping; this bounds the writes to one per device per this long. The sweeper and the state
    /// logic use the exact time kept in memory, so silence is never declared from the lag.
    package var lastSeenResolution: TimeInterval = 30
    /// Most `last_seen` rows written in one statement, so a big flush never holds up a batch long.
    package var maxFlushRows = 5000
    /// How often the silence sweeper runs.
    package var sweepInterval: Duration = .seconds(5)
    /// Extra time before a device is declared silent, for pings received but not yet committed.
    package var sweepGrace: TimeInterval = 5
    /// Raw pings older than this are dropped (whole daily partitions).
    package var retentionDays = 90
    /// How often partitions are created ahead and old ones dropped.
    package var partitionInterval: Duration = .seconds(3600)
    /// How long one batch may take to commit before its requests get 503 (retrying is safe: a
    /// batch that commits late makes the retry count as duplicates).
    package var commitTimeout: Duration = .seconds(15)
    /// How long one periodic task (last-seen flush, sweep, partition upkeep) may wait for the
    /// database. Shorter than a commit's: they retry on their next round, and requests queued
    /// behind them must not wait out a long deadline (`/readyz` would call the writer stalled).
    package var periodicTimeout: Duration = .seconds(5)
    /// Whether this instance runs the sweeper and partition maintenance (`PartitionKeeper`; the
    /// partitions past the retention are dropped by one instance at a time).
    package var runsMaintenance = true

    package init() {}
}
