import Foundation
import Logging
import Metrics
import NadiCore
import NadiSupport
import PostgresNIO

/// A batch's way through the writer: flattened and deduplicated, copied, its state step run after
/// the batch before it (`StateUpdater`, which asks `StatePlanner`), committed, and answered.
extension PingWriter {
    /// Writes `jobs` as one batch and answers them; its state step waits for `previous`.
    func commit(_ jobs: [IngestQueue.Pending], after previous: InFlightBatch?) async {
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
    func store(_ rows: [ResolvedPing], sightings: [Sighting], after previous: InFlightBatch? = nil) async -> [BatchRowOutcome] {
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

    /// One transaction: pings, device state and sightings; updates the in-memory last-seen times on
    /// success. The pings are copied at once; the state step waits until `previous` (the batch
    /// before) has finished, so it starts from what that one left.
    func attempt(_ batch: [ResolvedPing], sightings: [Sighting], after previous: InFlightBatch?) async throws
        -> [BatchRowOutcome]
    {
        let newDays = partitionDays.missing(from: PingPartitions.days(of: batch))
        // A failover ends the wait at once: the old server's pool would hold the batch to its deadline.
        let server = client.serverGeneration
        let storedMask: [Bool]
        let applied: StateUpdater.Applied
        let cachedEpoch: Int64?
        do {
            (storedMask, applied, cachedEpoch) = try await withDeadline(
                configuration.commitTimeout, abandonWhen: { [client] in await client.serverChanged(after: server) }
            ) { [client, logger, state, partitions, metrics, memory] in
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
                    let (pending, cached) = memory.stateContext(for: stored.keys)
                    let applied = try await state.apply(
                        stored: stored, intervals: intervals, pendingSeen: pending, cached: cached, now: Date(), on: connection)
                    try await BatchInserter.recordSightings(sightings, on: connection, logger: logger)
                    metrics.stateSeconds.recordNanoseconds((ContinuousClock.now - stating).nanoseconds)
                    return (mask, applied, cached.epoch)
                }
            }
        } catch {
            // Rolled back, or abandoned and perhaps committing still: the copy may be stale.
            memory.withLock { $0.stateCache.invalidate() }
            throw error
        }
        partitionDays.add(newDays)
        memory.withLock { memory in
            memory.lastSeen.merge(applied.seen)
            memory.stateCache.apply(applied.cache, snapshotEpoch: cachedEpoch)
        }
        metrics.stateRowsFromMemory.increment(by: applied.served)
        metrics.stateRowsFromTable.increment(by: applied.read)
        return storedMask.map { $0 ? .stored : .duplicate }
    }

    /// The stored pings of each device, in any order.
    static func timelines(of batch: [ResolvedPing], storedMask: [Bool]) -> [Int64: [TimelinePing]] {
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
    static func intervals(of batch: [ResolvedPing]) -> [Int64: Int] {
        var intervals: [Int64: Int] = [:]
        intervals.reserveCapacity(batch.count)
        for row in batch { intervals[row.deviceID] = row.intervalSeconds }
        return intervals
    }
}
