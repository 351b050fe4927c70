import Foundation
package import Logging
package import Metrics
import NadiCore
import NadiSupport
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The one batch writer: takes every waiting request, commits their pings together (COPY, falling
/// back to `ON CONFLICT DO NOTHING` only when a batch holds a duplicate), updates device state in the
/// same transaction, then answers every request of the batch. Between batches, when due, it writes
/// the buffered last-seen times and sweeps for silent devices — in the same serial loop, so neither
/// races a batch's copy of the state. Partition upkeep is a service of its own (`partitionKeeper`).
package actor PingWriter: Service {
    package nonisolated let queue: IngestQueue
    let client: DatabaseClient
    let logger: Logger
    let configuration: PingWriterConfiguration
    let state: StateUpdater
    let sweeper: SilenceSweeper
    let partitions: PingPartitions
    /// The ping days known to have their partition, shared with `partitionKeeper`.
    nonisolated let partitionDays = PartitionDays()

    /// The newest ping times not yet written and the `device_state` rows this writer left (so a
    /// batch reads only the others, schema part 14).
    nonisolated let memory: WriterMemory
    /// A database that refuses every batch must not flood the log.
    var failureLog = RepeatedFailureLog(every: .seconds(10))
    /// When each periodic task is next due.
    private var nextFlush: ContinuousClock.Instant
    private var nextSweep: ContinuousClock.Instant

    let metrics: WriterMetrics

    package init(
        queue: IngestQueue, client: DatabaseClient, configuration: PingWriterConfiguration = .init(),
        metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) {
        self.queue = queue
        self.metrics = WriterMetrics(factory: metrics)
        self.client = client
        self.configuration = configuration
        self.logger = logger
        // A new id per process: after a restart this writer trusts no last-seen time it did not see itself.
        self.state = StateUpdater(logger: logger, missCount: configuration.missCount, writerID: UUID())
        self.sweeper = SilenceSweeper(client: client, missCount: configuration.missCount, grace: configuration.sweepGrace, logger: logger)
        self.partitions = PingPartitions(client: client, retentionDays: configuration.retentionDays, logger: logger)
        self.memory = WriterMemory(
            lastSeen: LastSeenBuffer(
                resolution: configuration.lastSeenResolution, maxRows: configuration.maxFlushRows, missCount: configuration.missCount,
                sweepGrace: configuration.sweepGrace))
        let now = ContinuousClock.now
        self.nextFlush = now + configuration.flushInterval
        self.nextSweep = now + configuration.sweepInterval
    }

    /// Writes until graceful shutdown has drained the queue; on cancellation (shutdown taking too
    /// long) answers what still waits with 503 and stops.
    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await loop()
            } onCancel: {
                for batch in self.started.withLock({ $0 }) { batch.task.cancel() }
                self.queue.poke()
            }
        } onGracefulShutdown: { [queue] in
            queue.close()
        }
    }

    /// The batches started and perhaps not finished (at most two), for cancellation.
    private nonisolated let started = Mutex<[InFlightBatch]>([])

    /// Takes batches and writes them, two at a time: while one takes its state step and commits, the
    /// next one copies its pings (`attempt(_:sightings:after:)`). Periodic work runs between batches
    /// when due, with none in flight.
    private func loop() async {
        var lastFailed = false
        var committing: InFlightBatch?
        // Shutting down and the database is not committing: stop trying batches (what waits gets 503).
        while !Task.isCancelled, !(queue.isClosed && lastFailed) {
            if let batch = committing, batch.isFinished {
                committing = nil
                lastFailed = await finishThenUpkeep(batch)
                continue
            }
            let taken = queue.take(maxPings: configuration.maxBatchPings)
            let (jobs, held) = committing?.separate(taken) ?? (taken, [])
            queue.putBack(held)
            if !jobs.isEmpty {
                let next = start(jobs, after: committing)
                // Two in flight: the older one finishes before another is taken.
                if let batch = committing { lastFailed = await finished(batch) }
                committing = next
                // Under sustained load the queue is never empty: periodic work still runs when due.
                if isPeriodicWorkDue, !(queue.isClosed && lastFailed) {
                    committing = nil
                    lastFailed = await finishThenUpkeep(next)
                }
            } else if let batch = committing {
                // Wait for work to copy alongside it, or for it to finish (it pokes the queue). A job
                // held back waits for the batch it repeats; a closed queue has no more work to wait for.
                if held.isEmpty, !queue.isClosed { await queue.waitForWork() } else { _ = await finished(batch) }
            } else if queue.isClosed {
                break
            } else {
                await periodicWork()
                queue.noteWriterProgress()
                await queue.waitForWork(until: nextDue)
            }
        }
        if let batch = committing { lastFailed = await finished(batch) }
        if Task.isCancelled {
            queue.failAll(.shuttingDown)
            logger.warning("ingest writer cancelled; waiting requests were answered 503")
            return
        }
        // Shutting down and the database is not committing: answer what waits now (503)
        // instead of trying each batch until its deadline.
        if queue.isClosed, lastFailed {
            queue.failAll(.shuttingDown)
        } else {
            await flushSeen(.all)
        }
        logger.info("ingest writer drained and stopped")
    }

    /// Starts committing `jobs`; its state step waits for `previous`.
    private func start(_ jobs: [IngestQueue.Pending], after previous: InFlightBatch?) -> InFlightBatch {
        let batch = InFlightBatch(
            jobs: jobs, commit: { [previous] in await self.commit(jobs, after: previous) }, finished: { [queue] in queue.poke() })
        started.withLock { $0 = [previous, batch].compactMap { $0 } }
        return batch
    }

    /// Waits for `batch`; returns whether it failed to commit.
    private func finished(_ batch: InFlightBatch) async -> Bool {
        await batch.task.value
        return queue.commitProblem != nil
    }

    /// Waits for `batch`, the only one in flight, then runs the periodic work that is due (unless
    /// shutting down with a database that does not commit). Returns whether the batch failed.
    private func finishThenUpkeep(_ batch: InFlightBatch) async -> Bool {
        let failed = await finished(batch)
        if !(queue.isClosed && failed) { await periodicWork() }
        return failed
    }

    private var isPeriodicWorkDue: Bool { ContinuousClock.now >= nextDue }

    /// The earliest time a periodic task is due.
    private var nextDue: ContinuousClock.Instant {
        configuration.runsMaintenance ? min(nextFlush, nextSweep) : nextFlush
    }

    /// Runs the periodic tasks that are due.
    private func periodicWork() async {
        let now = ContinuousClock.now
        if now >= nextFlush {
            let flushed = await flushSeen(.due)
            // A capped flush leaves more due: go on after the next batch instead of in two seconds.
            // A failed one waits the interval, so a refusing database is not asked in a busy loop.
            nextFlush = flushed && memory.withLock({ $0.lastSeen.moreDue }) ? now : now + configuration.flushInterval
        }
        if configuration.runsMaintenance, now >= nextSweep {
            await sweep(now: Date())
            nextSweep = now + configuration.sweepInterval
        }
    }

    /// Partition upkeep for this writer's database, to run beside it in the service group (the
    /// application adds it when this instance runs maintenance).
    package nonisolated var partitionKeeper: PartitionKeeper {
        PartitionKeeper(client: client, days: partitionDays, configuration: configuration, logger: logger)
    }

    /// Sweeps for silence as of `now` — never on a stale last_seen: the times of the devices it could
    /// otherwise pick are written first, and the sweep is skipped if that fails.
    private func sweep(now: Date) async {
        guard await flushSeen(.sweepCandidates(now: now)) else {
            logger.warning("silence sweep skipped: last-seen times could not be written first")
            return
        }
        do {
            let outcome = try await withDeadline(configuration.periodicTimeout) { [sweeper] in try await sweeper.sweep(now: now) }
            if let step = outcome.step { memory.withLock { $0.stateCache.noteSilenced(outcome.silenced, step: step) } }
            if !outcome.silenced.isEmpty { logger.info("devices went silent", metadata: ["devices.silent": "\(outcome.silenced.count)"]) }
        } catch {
            memory.withLock { $0.stateCache.invalidate() }
            logger.error("silence sweep failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
        }
    }

    /// Writes buffered newest ping times to `device_state.last_seen`, in parts of at most
    /// `maxFlushRows`. Returns false when it failed (the times stay buffered).
    @discardableResult
    private func flushSeen(_ selection: LastSeenBuffer.Selection) async -> Bool {
        let chosen = memory.withLock { $0.lastSeen.isEmpty ? [] : $0.lastSeen.select(selection) }
        guard !chosen.isEmpty else { return true }
        var start = 0
        while start < chosen.count {
            let part = Array(chosen[start..<min(start + configuration.maxFlushRows, chosen.count)])
            do {
                let step = try await withDeadline(configuration.periodicTimeout) { [sweeper] in try await sweeper.writeLastSeen(part) }
                memory.withLock { $0.stateCache.noteLastSeenWritten(part, step: step) }
            } catch {
                memory.withLock { $0.stateCache.invalidate() }
                logger.warning("last-seen flush failed; will retry", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                return false
            }
            memory.withLock { $0.lastSeen.markWritten(part) }
            start += configuration.maxFlushRows
        }
        return true
    }
}
