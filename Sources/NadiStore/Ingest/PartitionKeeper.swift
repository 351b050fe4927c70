import Foundation
package import Logging
import NadiSupport
import ServiceLifecycle
import Synchronization

/// The ping days whose partitions exist, as far as this process knows: the keeper records the days
/// it made or kept, a batch the days it needed, so a batch asks the database only for a day
/// nobody here has seen yet.
package final class PartitionDays: Sendable {
    private let days = Mutex<Set<Int64>>([])

    package init() {}

    /// The days of `wanted` not known to exist.
    func missing(from wanted: Set<Int64>) -> Set<Int64> { days.withLock { wanted.subtracting($0) } }

    /// `made` exist now.
    func add(_ made: Set<Int64>) { days.withLock { $0.formUnion(made) } }

    /// After upkeep: the days before `kept` were dropped; the last few of `kept` were made ahead.
    func keep(_ kept: ClosedRange<Int64>) {
        days.withLock { $0 = $0.filter { $0 >= kept.lowerBound }.union(kept.suffix(5)) }
    }

    /// Whether `day` is known to exist (for tests).
    package func contains(_ day: Int64) -> Bool { days.withLock { $0.contains(day) } }
}

/// Partition upkeep as a service of its own beside the writer: every `interval` it makes the ping
/// partitions of yesterday to three days ahead and drops those past the retention (one instance at
/// a time, by the maintenance lock); a failure is logged and tried again in a minute. Dropping a
/// day's partition waits for a batch writing to `ping` to commit, and a batch waits for the drop —
/// neither holds what the other needs next.
package struct PartitionKeeper: Service {
    let partitions: PingPartitions
    let days: PartitionDays
    let interval: Duration
    let timeout: Duration
    let logger: Logger

    package init(client: DatabaseClient, days: PartitionDays, configuration: PingWriterConfiguration, logger: Logger) {
        self.partitions = PingPartitions(client: client, retentionDays: configuration.retentionDays, logger: logger)
        self.days = days
        self.interval = configuration.partitionInterval
        self.timeout = configuration.periodicTimeout * 2
        self.logger = logger
    }

    /// Runs until graceful shutdown (or cancellation), which ends the wait for the next round.
    package func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let next = await upkeep()
                try? await Task.sleep(for: next)
            }
        }
    }

    /// One round; how long until the next.
    func upkeep() async -> Duration {
        do {
            let kept = try await withDeadline(timeout) { [partitions] in try await partitions.maintain(today: Date()) }
            days.keep(kept)
            return interval
        } catch {
            logger.error("partition maintenance failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            return .seconds(60)
        }
    }
}
