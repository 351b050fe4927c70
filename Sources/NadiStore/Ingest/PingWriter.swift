package import Foundation
package import Logging
package import Metrics
import NadiCore
package import PostgresNIO
package import ServiceLifecycle
import Synchronization

/// The one batch writer: takes every waiting request, commits their pings together (COPY, falling
/// back to `ON CONFLICT DO NOTHING` only when a batch holds a duplicate), updates device state in the
/// same transaction, then answers every request of the batch. Between batches, when due, it writes
/// the buffered last-seen times, sweeps for silent devices and keeps the ping partitions — in the
/// same serial loop, so none of them races a batch.
package actor PingWriter: Service {
    package nonisolated let queue: IngestQueue
    let client: DatabaseClient
    let logger: Logger
    let configuration: PingWriterConfiguration
    let state: StateUpdater
    let sweeper: SilenceSweeper
    let partitions: PingPartitions

    private var lastSeen: LastSeenBuffer
    /// The `device_state` rows this writer left, so a batch reads only the others (schema part 14).
    private var stateCache = DeviceStateCache()
    /// A database that refuses every batch must not flood the log.
    private var failureLog = RepeatedFailureLog(every: .seconds(10))
    private var knownPartitions: Set<Int64> = []
    /// When each periodic task is next due. Migrations ran before the writer started (the
    /// application's prelude), so partition upkeep is due at once.
    private var nextFlush: ContinuousClock.Instant
    private var nextSweep: ContinuousClock.Instant
    private var nextMaintenance = ContinuousClock.now

    private let metrics: WriterMetrics

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
        self.lastSeen = LastSeenBuffer(
            resolution: configuration.lastSeenResolution, maxRows: configuration.maxFlushRows, missCount: configuration.missCount,
            sweepGrace: configuration.sweepGrace)
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
        configuration.runsMaintenance ? min(nextFlush, nextSweep, nextMaintenance) : nextFlush
    }

    /// Runs the periodic tasks that are due.
    private func periodicWork() async {
        let now = ContinuousClock.now
        if now >= nextFlush {
            let flushed = await flushSeen(.due)
            // A capped flush leaves more due: go on after the next batch instead of in two seconds.
            // A failed one waits the interval, so a refusing database is not asked in a busy loop.
            nextFlush = flushed && lastSeen.moreDue ? now : now + configuration.flushInterval
        }
        if configuration.runsMaintenance, now >= nextSweep {
            await sweep(now: Date())
            nextSweep = now + configuration.sweepInterval
        }
        if configuration.runsMaintenance, now >= nextMaintenance {
            do {
                let kept = try await withDeadline(configuration.periodicTimeout * 2) { [partitions] in
                    try await partitions.maintain(today: Date())
                }
                knownPartitions = knownPartitions.filter { $0 >= kept.lowerBound }.union(kept.suffix(5))
                nextMaintenance = now + configuration.partitionInterval
            } catch {
                logger.error("partition maintenance failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                nextMaintenance = now + .seconds(60)  // try again in a minute
            }
        }
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
            if let step = outcome.step { stateCache.noteSilenced(outcome.silenced, step: step) }
            if !outcome.silenced.isEmpty { logger.info("devices went silent", metadata: ["devices.silent": "\(outcome.silenced.count)"]) }
        } catch {
            stateCache.invalidate()
            logger.error("silence sweep failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
        }
    }

    /// Writes buffered newest ping times to `device_state.last_seen`, in parts of at most
    /// `maxFlushRows`. Returns false when it failed (the times stay buffered).
    @discardableResult
    private func flushSeen(_ selection: LastSeenBuffer.Selection) async -> Bool {
        guard !lastSeen.isEmpty else { return true }
        let chosen = lastSeen.select(selection)
        var start = 0
        while start < chosen.count {
            let part = Array(chosen[start..<min(start + configuration.maxFlushRows, chosen.count)])
            do {
                let step = try await withDeadline(configuration.periodicTimeout) { [sweeper] in try await sweeper.writeLastSeen(part) }
                stateCache.noteLastSeenWritten(part, step: step)
            } catch {
                stateCache.invalidate()
                logger.warning("last-seen flush failed; will retry", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                return false
            }
            lastSeen.markWritten(part)
            start += configuration.maxFlushRows
        }
        return true
    }

    // MARK: - Commit

    /// Writes `jobs` as one batch and answers them; its state step waits for `previous`.
    private func commit(_ jobs: [IngestQueue.Pending], after previous: InFlightBatch?) async {
        let started = ContinuousClock.now
        // Flatten, and count repeats inside the batch as duplicates right away.
        var rows: [ResolvedPing] = []
        var owners: [(job: Int, ping: Int)] = []
        var outcomes = jobs.map { Array(repeating: BatchRowOutcome.duplicate, count: $0.job.pings.count) }
        let total = jobs.reduce(0) { $0 + $1.job.pings.count }
        rows.reserveCapacity(total)
        owners.reserveCapacity(total)
        var firstSeen = Set<BatchInserter.PingKey>(minimumCapacity: total)
        for (jobIndex, pending) in jobs.enumerated() {
            let pings = pending.job.pings
            for pingIndex in pings.indices
            where firstSeen.insert(BatchInserter.PingKey(device: pings[pingIndex].deviceID, micros: pings[pingIndex].observedMicros))
                .inserted
            {
                rows.append(pings[pingIndex])
                owners.append((jobIndex, pingIndex))
            }
        }
        let sightings = jobs.flatMap(\.job.sightings)
        let rowOutcomes = await store(rows, sightings: sightings, after: previous)
        for (offset, outcome) in rowOutcomes.enumerated() { outcomes[owners[offset].job][owners[offset].ping] = outcome }

        var failure: IngestUnavailable?
        var accepted = 0
        for (pending, jobOutcomes) in zip(jobs, outcomes) {
            // A request is answered 2xx only when every ping of it was committed, found stored, or refused.
            if case .unavailable(let problem) = jobOutcomes.first(where: \.isUnavailable) {
                failure = problem
                pending.continuation.resume(throwing: problem)
                continue
            }
            var receipt = IngestReceipt(stored: jobOutcomes.map { $0 == .stored })
            for (index, outcome) in jobOutcomes.enumerated() {
                if case .refused(let reason) = outcome { receipt.refused[index] = reason }
            }
            accepted += receipt.accepted
            metrics.count(pending.job.pings, receipt)
            pending.continuation.resume(returning: receipt)
        }
        queue.noteWriterProgress()
        metrics.batchSize.record(rows.count)
        metrics.commitSeconds.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        if failure == nil, let problem = queue.commitProblem {
            logger.notice("ingest batches commit again", metadata: ["previous.problem": "\(problem)"])
            queue.setCommitProblem(nil)
        }
    }

    /// Commits `rows` and `sightings` in one transaction. When the database refuses the data itself
    /// (SQLSTATE class 22 or 23 — e.g. a NUL byte validation missed), the batch is split in halves and
    /// each committed on its own, down to the one row at fault, so one client's bad record never fails
    /// the others' requests. Sightings that the database refuses are dropped with a log line.
    private func store(_ rows: [ResolvedPing], sightings: [Sighting], after previous: InFlightBatch? = nil) async -> [BatchRowOutcome] {
        do {
            return try await attempt(rows, sightings: sightings, after: previous)
        } catch let error where PostgresErrorText.isDataError(error) {
            let reason =
                "the database refused this record's data (SQLSTATE \(PostgresErrorText.code(error)?.raw ?? "?")); it was not stored"
            if !sightings.isEmpty {
                if rows.isEmpty {
                    logger.warning(
                        "unregistered sightings refused by the database; dropped",
                        metadata: ["error": "\(PostgresErrorText.describe(error))"])
                    return []
                }
                let outcomes = await store(rows, sightings: [])
                _ = await store([], sightings: sightings)
                return outcomes
            }
            guard rows.count > 1 else {
                logger.warning(
                    "a ping refused by the database; its request gets the reason",
                    metadata: ["error": "\(PostgresErrorText.describe(error))"])
                return [.refused(reason)]
            }
            let middle = rows.count / 2
            let first = await store(Array(rows[..<middle]), sightings: [])
            return first + (await store(Array(rows[middle...]), sightings: []))
        } catch {
            let refusal = PostgresErrorText.writeRefusal(error)
            let reason = refusal.map { "\($0): \(PostgresErrorText.describe(error))" } ?? PostgresErrorText.describe(error)
            queue.setCommitProblem(refusal ?? "the database did not commit the last batch")
            failureLog.note(reason) { suppressed in
                logger.error(
                    "ingest batch not committed; clients get 503 and retry",
                    metadata: ["batch.pings": "\(rows.count)", "error": "\(reason)", "similar.suppressed": "\(suppressed)"])
            }
            return Array(repeating: .unavailable(.databaseUnavailable(refusal ?? "")), count: rows.count)
        }
    }

    /// What a batch's state step starts from: the newest ping times kept in memory and the writer's
    /// copy of the rows, for the batch's devices.
    private func stateContext(for devices: Dictionary<Int64, [TimelinePing]>.Keys) -> (
        pending: [Int64: SeenTime], cached: DeviceStateCache.Snapshot
    ) {
        var pending: [Int64: SeenTime] = [:]
        pending.reserveCapacity(devices.count)
        for id in devices { if let seen = lastSeen.pending[id] { pending[id] = seen } }
        return (pending, stateCache.snapshot(for: devices))
    }

    /// One transaction: pings, device state and sightings; updates the in-memory last-seen times on
    /// success. The pings are copied at once; the state step waits until `previous` (the batch
    /// before) has finished, so it starts from what that one left.
    private func attempt(_ batch: [ResolvedPing], sightings: [Sighting], after previous: InFlightBatch?) async throws
        -> [BatchRowOutcome]
    {
        let newDays = PingPartitions.days(of: batch).subtracting(knownPartitions)
        // A failover ends the wait at once: the old server's pool would hold the batch to its deadline.
        let server = client.serverGeneration
        let storedMask: [Bool]
        let applied: StateUpdater.Applied
        let cachedEpoch: Int64?
        do {
            (storedMask, applied, cachedEpoch) = try await withDeadline(
                configuration.commitTimeout, abandonWhen: { [client] in await client.serverChanged(after: server) }
            ) { [client, logger, state, partitions, metrics] in
                for day in newDays.sorted() { try await partitions.ensure(day: day) }
                return try await client.transaction(logger: logger) { connection in
                    let copying = ContinuousClock.now
                    let mask = try await BatchInserter.insert(batch, on: connection, logger: logger)
                    metrics.copySeconds.recordNanoseconds((ContinuousClock.now - copying).nanoseconds)
                    // What depends on this batch alone is worked out before waiting for the one before.
                    let stored = Self.timelines(of: batch, storedMask: mask)
                    let intervals = Self.intervals(of: batch)
                    if let previous, !previous.isFinished {
                        metrics.overlappedBatches.increment()
                        await previous.task.value
                    }
                    let stating = ContinuousClock.now
                    let (pending, cached) = await self.stateContext(for: stored.keys)
                    let applied = try await state.apply(
                        stored: stored, intervals: intervals, pendingSeen: pending, cached: cached, now: Date(), on: connection)
                    try await BatchInserter.recordSightings(sightings, on: connection, logger: logger)
                    metrics.stateSeconds.recordNanoseconds((ContinuousClock.now - stating).nanoseconds)
                    return (mask, applied, cached.epoch)
                }
            }
        } catch {
            // Rolled back, or abandoned and perhaps committing still: the copy may be stale.
            stateCache.invalidate()
            throw error
        }
        knownPartitions.formUnion(newDays)
        lastSeen.merge(applied.seen)
        stateCache.apply(applied.cache, snapshotEpoch: cachedEpoch)
        metrics.stateRowsFromMemory.increment(by: applied.served)
        metrics.stateRowsFromTable.increment(by: applied.read)
        return storedMask.map { $0 ? .stored : .duplicate }
    }

    /// The stored pings of each device, in any order.
    private static func timelines(of batch: [ResolvedPing], storedMask: [Bool]) -> [Int64: [TimelinePing]] {
        var stored: [Int64: [TimelinePing]] = [:]
        stored.reserveCapacity(batch.count)
        for (row, kept) in zip(batch, storedMask) where kept {
            stored[row.deviceID, default: []].append(
                TimelinePing(
                    at: Date(timeIntervalSince1970: Double(row.observedMicros) / 1_000_000), status: row.status, reason: row.reason))
        }
        return stored
    }

    /// Each device's heartbeat interval in seconds.
    private static func intervals(of batch: [ResolvedPing]) -> [Int64: Int] {
        var intervals: [Int64: Int] = [:]
        intervals.reserveCapacity(batch.count)
        for row in batch { intervals[row.deviceID] = row.intervalSeconds }
        return intervals
    }
}
