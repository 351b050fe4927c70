public import Foundation
public import Logging
public import Metrics
import NIOCore
import NadiCore
public import PostgresNIO
public import ServiceLifecycle

/// Settings of the batch writer.
public struct PingWriterConfiguration: Sendable {
    /// Most pings committed in one transaction.
    public var maxBatchPings = 20_000
    /// Missed heartbeats that make a device silent.
    public var missCount = 3
    /// How often the writer looks for newest ping times to write to `device_state.last_seen`.
    public var flushInterval: Duration = .seconds(2)
    /// How far `device_state.last_seen` may lag behind a device's newest ping (or one heartbeat
    /// interval, when that is shorter). Writing every ping's time would cost an index update per
    /// ping; this bounds the writes to one per device per this long. The sweeper and the state
    /// logic use the exact time kept in memory, so silence is never declared from the lag.
    public var lastSeenResolution: TimeInterval = 30
    /// Most `last_seen` rows written in one statement, so a big flush never holds up a batch long.
    public var maxFlushRows = 5000
    /// How often the silence sweeper runs.
    public var sweepInterval: Duration = .seconds(5)
    /// Extra time before a device is declared silent, for pings received but not yet committed.
    public var sweepGrace: TimeInterval = 5
    /// Raw pings older than this are dropped (whole daily partitions).
    public var retentionDays = 90
    /// How long one batch may take to commit before its requests get 503 (retrying is safe: a
    /// batch that commits late makes the retry count as duplicates).
    public var commitTimeout: Duration = .seconds(15)
    /// Whether this instance runs the sweeper and partition maintenance (when it wins the lock).
    public var runsMaintenance = true

    public init() {}
}

/// The one batch writer: takes every waiting request, commits their pings together (COPY, falling
/// back to `ON CONFLICT DO NOTHING` only when a batch holds a duplicate), updates device state in the
/// same transaction, then answers every request of the batch. Also flushes coalesced last-seen
/// times, sweeps for silent devices and keeps the ping partitions.
public actor PingWriter: Service {
    static let maintenanceLockKey: Int64 = 0x6E61_6469_0002

    public nonisolated let queue: IngestQueue
    let client: PostgresClient
    let logger: Logger
    let configuration: PingWriterConfiguration
    let state: StateUpdater

    private var pendingSeen: [Int64: SeenTime] = [:]
    /// The last `.due` flush stopped at its row cap.
    private var moreSeenDue = false
    /// A database that refuses every batch must not flood the log.
    private var failureLog = RepeatedFailureLog(every: .seconds(10))
    private var knownPartitions: Set<Int64> = []
    private var lastFlush = ContinuousClock.now
    private var lastSweep = ContinuousClock.now
    /// First maintenance a minute after start (the daemon migrates the database in between).
    private var lastMaintenance: ContinuousClock.Instant? = ContinuousClock.now - .seconds(3540)

    private let metrics: WriterMetrics

    public init(
        queue: IngestQueue, client: PostgresClient, configuration: PingWriterConfiguration = .init(),
        metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) {
        self.queue = queue
        self.metrics = WriterMetrics(factory: metrics)
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.state = StateUpdater(logger: logger, missCount: configuration.missCount)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [queue] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(500))
                        queue.poke()
                    }
                }
                await withTaskCancellationHandler {
                    await loop()
                } onCancel: { [queue] in
                    queue.poke()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [queue] in
            queue.close()
        }
    }

    private func loop() async {
        var lastFailed = false
        while !Task.isCancelled {
            let jobs = queue.take(maxPings: configuration.maxBatchPings)
            if !jobs.isEmpty {
                await commit(jobs)
                lastFailed = queue.commitProblem != nil
                // Shutting down and the database is not committing: answer what waits now (503)
                // instead of trying each batch until its deadline.
                if queue.isClosed, lastFailed {
                    queue.failAll(.shuttingDown)
                    break
                }
                // Under sustained load the queue is never empty: the flush, the sweeper and
                // partition upkeep must still run when they are due.
                await periodicWork()
            } else if queue.isClosed {
                break
            } else {
                await periodicWork()
                queue.noteWriterProgress()
                await queue.waitForWork()
            }
        }
        if Task.isCancelled {
            queue.failAll(.shuttingDown)
            logger.warning("ingest writer cancelled; waiting requests were answered 503")
            return
        }
        if !lastFailed { await flushSeen() }
        logger.info("ingest writer drained and stopped")
    }

    /// Runs the periodic tasks that are due.
    private func periodicWork() async {
        let now = ContinuousClock.now
        if now - lastFlush >= configuration.flushInterval {
            await flushSeen(.due)
            // A capped flush leaves more due: go on after the next batch instead of in two seconds.
            if !moreSeenDue { lastFlush = now }
        }
        if configuration.runsMaintenance, now - lastSweep >= configuration.sweepInterval {
            let sweepTime = Date()
            do {
                // Never sweep on a stale last_seen: a device alive in memory is not silent.
                guard await flushSeen(.sweepCandidates(now: sweepTime)) else { throw SweepSkipped() }
                try await withDeadline(configuration.commitTimeout) { [self] in try await self.sweep(now: sweepTime) }
            } catch is SweepSkipped {
                logger.warning("silence sweep skipped: last-seen times could not be written first")
            } catch {
                logger.error("silence sweep failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            lastSweep = now
        }
        if configuration.runsMaintenance, lastMaintenance.map({ now - $0 >= .seconds(3600) }) ?? true {
            do {
                try await withDeadline(configuration.commitTimeout * 2) { [self] in try await self.maintainPartitions(today: Date()) }
                lastMaintenance = now
            } catch {
                logger.error("partition maintenance failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                lastMaintenance = now - .seconds(3540)  // try again in a minute
            }
        }
    }

    // MARK: - Commit

    private func commit(_ jobs: [IngestQueue.Pending]) async {
        let started = ContinuousClock.now
        // Flatten, and count repeats inside the batch as duplicates right away.
        var rows: [ResolvedPing] = []
        var owners: [(job: Int, ping: Int)] = []
        var outcomes = jobs.map { Array(repeating: RowOutcome.duplicate, count: $0.job.pings.count) }
        var firstSeen = Set<BatchInserter.PingKey>()
        for (jobIndex, pending) in jobs.enumerated() {
            for (pingIndex, ping) in pending.job.pings.enumerated()
            where firstSeen.insert(BatchInserter.PingKey(device: ping.deviceID, micros: ping.observedMicros)).inserted {
                rows.append(ping)
                owners.append((jobIndex, pingIndex))
            }
        }
        let sightings = jobs.flatMap(\.job.sightings)
        let rowOutcomes = await store(rows, sightings: sightings)
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
        metrics.commitSeconds.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
        if failure == nil, let problem = queue.commitProblem {
            logger.notice("ingest batches commit again", metadata: ["previous.problem": "\(problem)"])
            queue.setCommitProblem(nil)
        }
    }

    /// What became of one row of a batch.
    enum RowOutcome: Equatable {
        case stored
        case duplicate
        /// The database refused the row's data; the others were committed without it.
        case refused(String)
        /// Not committed: the client must retry.
        case unavailable(IngestUnavailable)

        var isUnavailable: Bool {
            if case .unavailable = self { return true }
            return false
        }
    }

    /// Commits `rows` and `sightings` in one transaction. When the database refuses the data itself
    /// (SQLSTATE class 22 or 23 — e.g. a NUL byte validation missed), the batch is split in halves and
    /// each committed on its own, down to the one row at fault, so one client's bad record never fails
    /// the others' requests. Sightings that the database refuses are dropped with a log line.
    private func store(_ rows: [ResolvedPing], sightings: [Sighting]) async -> [RowOutcome] {
        do {
            return try await attempt(rows, sightings: sightings)
        } catch let error where PostgresErrorText.isDataError(error) {
            let reason = "the database refused this record's data (SQLSTATE \(PostgresErrorText.sqlState(error) ?? "?")); it was not stored"
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

    /// One transaction: pings, device state and sightings; updates the in-memory last-seen times on success.
    private func attempt(_ batch: [ResolvedPing], sightings: [Sighting]) async throws -> [RowOutcome] {
        let now = Date()
        let seenBefore = pendingSeen
        let newDays = partitionDays(for: batch).subtracting(knownPartitions)
        let (storedMask, seen) = try await withDeadline(configuration.commitTimeout) { [client, logger, state] in
            for day in newDays.sorted() { try await Self.ensurePartition(day: day, client: client, logger: logger) }
            return try await client.transaction(logger: logger) { connection in
                let mask = try await BatchInserter.insert(batch, on: connection, logger: logger)
                var stored: [Int64: [TimelinePing]] = [:]
                var intervals: [Int64: Int] = [:]
                for (row, kept) in zip(batch, mask) where kept {
                    stored[row.deviceID, default: []].append(
                        TimelinePing(
                            at: Date(timeIntervalSince1970: Double(row.observedMicros) / 1_000_000), status: row.status, reason: row.reason)
                    )
                    intervals[row.deviceID] = row.intervalSeconds
                }
                let seen = try await state.apply(stored: stored, intervals: intervals, pendingSeen: seenBefore, now: now, on: connection)
                try await BatchInserter.recordSightings(sightings, on: connection, logger: logger)
                return (mask, seen)
            }
        }
        knownPartitions.formUnion(newDays)
        for (id, update) in seen {
            if var entry = pendingSeen[id] {
                entry.newest = max(entry.newest, update.newest)
                entry.stored = update.stored
                pendingSeen[id] = entry
            } else {
                pendingSeen[id] = update
            }
        }
        return storedMask.map { $0 ? .stored : .duplicate }
    }

    // MARK: - Partitions

    /// The UTC days (since 1970) the rows fall on.
    private func partitionDays(for rows: [ResolvedPing]) -> Set<Int64> {
        Set(rows.map { Int64((Double($0.observedMicros) / 86_400_000_000).rounded(.down)) })
    }

    private static func ensurePartition(day: Int64, client: PostgresClient, logger: Logger) async throws {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        _ = try await client.query("SELECT nadi_ensure_ping_partition((\(date.pg) AT TIME ZONE 'UTC')::date)", logger: logger)
    }

    private func ensurePartition(day: Int64) async throws {
        try await Self.ensurePartition(day: day, client: client, logger: logger)
        knownPartitions.insert(day)
    }

    /// Creates partitions for yesterday to three days ahead and drops those past the retention.
    func maintainPartitions(today: Date) async throws {
        let day = Int64(floor(today.timeIntervalSince1970 / 86_400))
        for offset in -1...3 { try await ensurePartition(day: day + Int64(offset)) }
        let cutoff = Date(timeIntervalSince1970: Double(day - Int64(configuration.retentionDays)) * 86_400)
        let dropped = try await client.transaction(logger: logger) { connection -> Int in
            var locked = false
            for try await flag in try await connection.query(
                "SELECT pg_try_advisory_xact_lock(\(Self.maintenanceLockKey))", logger: logger
            ).decode(Bool.self) { locked = flag }
            guard locked else { return 0 }
            var dropped = 0
            for try await count in try await connection.query(
                "SELECT nadi_drop_ping_partitions_before((\(cutoff.pg) AT TIME ZONE 'UTC')::date)", logger: logger
            ).decode(Int.self) { dropped = count }
            return dropped
        }
        knownPartitions = knownPartitions.filter { $0 >= day - Int64(configuration.retentionDays) }
        if dropped > 0 { logger.info("old ping partitions dropped", metadata: ["partitions.dropped": "\(dropped)"]) }
    }

    // MARK: - Last seen and silence

    /// Which pending `last_seen` times to write.
    enum SeenSelection {
        /// Those lagging more than the resolution (at most `maxFlushRows` of them).
        case due
        /// Those the silence sweep at `now` could otherwise pick although the device is alive.
        case sweepCandidates(now: Date)
        /// All of them (shutdown, tests).
        case all
    }

    /// Writes pending newest ping times to `device_state.last_seen`. Returns false when it failed.
    @discardableResult
    func flushSeen(_ selection: SeenSelection = .all) async -> Bool {
        guard !pendingSeen.isEmpty else { return true }
        var chosen: [(Int64, Date)] = []
        switch selection {
        case .due:
            moreSeenDue = false
            for (id, entry) in pendingSeen where entry.lag >= min(Double(entry.interval), configuration.lastSeenResolution) {
                chosen.append((id, entry.newest))
                if chosen.count == configuration.maxFlushRows {
                    moreSeenDue = true
                    break
                }
            }
        case .sweepCandidates(let now):
            for (id, entry) in pendingSeen {
                let silentBefore = now.addingTimeInterval(
                    -(Double(entry.interval * configuration.missCount) + configuration.sweepGrace))
                if (entry.stored ?? .distantPast) < silentBefore { chosen.append((id, entry.newest)) }
            }
        case .all:
            chosen = pendingSeen.map { ($0.key, $0.value.newest) }
        }
        var start = 0
        while start < chosen.count {
            let part = chosen[start..<min(start + configuration.maxFlushRows, chosen.count)]
            do {
                let ids = part.map(\.0)
                let times = part.map(\.1.pg)
                try await withDeadline(configuration.commitTimeout) { [client, logger] in
                    _ = try await client.query(
                        """
                        UPDATE device_state s SET last_seen = GREATEST(s.last_seen, v.t)
                        FROM unnest(\(ids)::bigint[], \(times)::timestamptz[]) AS v(id, t)
                        WHERE s.device_id = v.id
                        """, logger: logger)
                }
            } catch {
                logger.warning("last-seen flush failed; will retry", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                return false
            }
            for (id, at) in part {
                if pendingSeen[id]?.newest == at {
                    pendingSeen[id] = nil
                } else {
                    pendingSeen[id]?.stored = at
                }
            }
            start += configuration.maxFlushRows
        }
        return true
    }

    /// Opens a silent interval for every device whose newest ping is older than miss count ×
    /// interval (plus grace), backdated to one interval after that ping. One instance at a time.
    func sweep(now: Date) async throws {
        let silenced = try await client.transaction(logger: logger) { connection -> Int in
            var locked = false
            for try await flag in try await connection.query(
                "SELECT pg_try_advisory_xact_lock(\(Self.maintenanceLockKey))", logger: logger
            ).decode(Bool.self) { locked = flag }
            guard locked else { return 0 }
            var ids: [Int64] = []
            var starts: [PostgresTimestamp] = []
            for try await (id, start) in try await connection.query(
                """
                SELECT s.device_id, s.last_seen + make_interval(secs => d.interval_s)
                FROM device_state s JOIN device d ON d.id = s.device_id
                WHERE s.status <> 'unknown' AND NOT (s.status = 'down' AND s.reason = 'silent')
                  AND s.last_seen < \(now.pg)::timestamptz - make_interval(secs => d.interval_s * \(configuration.missCount) + \(configuration.sweepGrace))
                FOR UPDATE OF s
                """, logger: logger
            ).decode((Int64, PostgresTimestamp).self) {
                ids.append(id)
                starts.append(start)
            }
            guard !ids.isEmpty else { return 0 }
            _ = try await connection.query(
                """
                UPDATE status_interval i SET ended_at = v.t
                FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[]) AS v(id, t)
                WHERE i.device_id = v.id AND i.ended_at IS NULL
                """, logger: logger)
            _ = try await connection.query(
                """
                INSERT INTO status_interval (device_id, status, reason, started_at)
                SELECT id, 'down', 'silent', t FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[]) AS v(id, t)
                """, logger: logger)
            _ = try await connection.query(
                """
                UPDATE device_state s SET status = 'down', reason = 'silent', since = v.t
                FROM unnest(\(ids)::bigint[], \(starts)::timestamptz[]) AS v(id, t) WHERE s.device_id = v.id
                """, logger: logger)
            return ids.count
        }
        if silenced > 0 { logger.info("devices went silent", metadata: ["devices.silent": "\(silenced)"]) }
    }

    /// Runs the flush and the sweep now (tests and the CLI use it instead of waiting).
    public func sweepNow(now: Date = Date()) async throws {
        await flushSeen()
        try await sweep(now: now)
    }
}

/// The sweep did not run because the last-seen times it depends on could not be written.
private struct SweepSkipped: Error {}

/// Logs a failure the first time, then the same failure at most once per period with how many
/// were left out in between.
struct RepeatedFailureLog {
    let every: Duration
    private var last: (reason: String, at: ContinuousClock.Instant)?
    private var suppressed = 0

    init(every: Duration) { self.every = every }

    mutating func note(_ reason: String, log: (Int) -> Void) {
        let now = ContinuousClock.now
        if let last, last.reason == reason, now - last.at < every {
            suppressed += 1
            return
        }
        log(suppressed)
        last = (reason, now)
        suppressed = 0
    }
}
