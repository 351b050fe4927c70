package import Foundation
package import NadiCore
import Synchronization

/// A ping resolved to its device, ready to store.
package struct ResolvedPing: Sendable {
    package var deviceID: Int64
    package var kind: DeviceKind
    /// `observed_at` in microseconds since 1970.
    package var observedMicros: Int64
    package var status: PingStatus
    package var latencyMs: Double?
    package var reason: String?
    package var metricsJSON: String?
    package var intervalSeconds: Int

    package init(
        deviceID: Int64, kind: DeviceKind, observedMicros: Int64, status: PingStatus, latencyMs: Double? = nil,
        reason: String? = nil, metricsJSON: String? = nil, intervalSeconds: Int
    ) {
        self.deviceID = deviceID
        self.kind = kind
        self.observedMicros = observedMicros
        self.status = status
        self.latencyMs = latencyMs
        self.reason = reason
        self.metricsJSON = metricsJSON
        self.intervalSeconds = intervalSeconds
    }
}

/// A ping from a device nobody registered.
package struct Sighting: Sendable {
    package var externalID: String
    package var at: Date
    package var source: String

    package init(externalID: String, at: Date, source: String) {
        self.externalID = externalID
        self.at = at
        self.source = source
    }
}

/// What one request asks the writer to store.
package struct IngestJob: Sendable {
    package var pings: [ResolvedPing]
    package var sightings: [Sighting]

    package init(pings: [ResolvedPing], sightings: [Sighting] = []) {
        self.pings = pings
        self.sightings = sightings
    }
}

/// What the writer committed for one job.
package struct IngestReceipt: Sendable, Equatable {
    /// For each ping of the job, in order: true when stored, false when it was a duplicate or refused.
    package var stored: [Bool]
    /// Pings the database refused (index in the job → reason); the rest of the job was committed.
    package var refused: [Int: String]

    package init(stored: [Bool], refused: [Int: String] = [:]) {
        self.stored = stored
        self.refused = refused
    }

    package var accepted: Int { stored.filter { $0 }.count }
    package var duplicates: Int { stored.count - accepted - refused.count }
}

/// Why a job was not taken or not committed. Every case means: nothing of the job was stored; retry.
package enum IngestUnavailable: Error, Sendable, Equatable {
    /// The queue holds as many pings as it may; retry after a moment.
    case queueFull
    /// The daemon is shutting down.
    case shuttingDown
    /// The database did not commit the batch; the text says why when it is something an operator
    /// must fix (read-only, disk full), and is empty otherwise.
    case databaseUnavailable(String)
}

/// The bounded queue between request handlers and the one batch writer. Requests wait on it until
/// their batch is committed, so an answer always follows the commit.
package final class IngestQueue: Sendable {
    struct Pending {
        var job: IngestJob
        var continuation: CheckedContinuation<IngestReceipt, any Error>
        var queuedAt = ContinuousClock.now
    }

    private struct State {
        var pending: [Pending] = []
        var queuedPings = 0
        var closed = false
        var writerWaiting: CheckedContinuation<Void, Never>?
        /// A poke that came while the writer was not waiting: its next wait returns at once.
        var poked = false
        var commitProblem: (text: String, at: ContinuousClock.Instant)?
        /// When the writer last finished a batch (committed or not), or took work.
        var writerProgress = ContinuousClock.now
    }

    /// The most pings that may wait at once.
    package let capacity: Int
    private let state = Mutex(State())

    package init(capacity: Int) { self.capacity = capacity }

    /// Pings waiting to be written.
    package var depth: Int { state.withLock { $0.queuedPings } }

    /// Why the writer's last batch was not committed, if it failed within the last `within` (and no
    /// batch committed since). `/readyz` says it; it expires so that an instance whose clients all
    /// backed off is not kept out of a load balancer for good.
    package func commitProblem(within: Duration = .seconds(15)) -> String? {
        state.withLock { state in
            guard let problem = state.commitProblem, ContinuousClock.now - problem.at < within else { return nil }
            return problem.text
        }
    }

    var commitProblem: String? { state.withLock { $0.commitProblem?.text } }

    /// How long the writer has made no progress while pings wait: nil when nothing waits or the
    /// writer moved within `limit`. `/readyz` reports it: a writer stuck on a database call that
    /// never returns must not look ready.
    package func stall(limit: Duration) -> (waited: Duration, pings: Int)? {
        state.withLock { state in
            guard let oldest = state.pending.first?.queuedAt else { return nil }
            let now = ContinuousClock.now
            let idle = now - max(oldest, state.writerProgress)
            return idle >= limit ? (now - oldest, state.queuedPings) : nil
        }
    }

    /// How long the oldest waiting job has waited (zero when none waits).
    package var oldestWait: Duration {
        state.withLock { state in state.pending.first.map { ContinuousClock.now - $0.queuedAt } ?? .zero }
    }

    func noteWriterProgress() {
        state.withLock { $0.writerProgress = ContinuousClock.now }
    }

    /// Answers every waiting job with `error` (nothing of them was stored) and empties the queue.
    func failAll(_ error: IngestUnavailable) {
        let failed = state.withLock { state -> [Pending] in
            defer {
                state.pending = []
                state.queuedPings = 0
            }
            return state.pending
        }
        for pending in failed { pending.continuation.resume(throwing: error) }
    }

    func setCommitProblem(_ problem: String?) {
        state.withLock { $0.commitProblem = problem.map { ($0, ContinuousClock.now) } }
    }

    /// Queues `job` and waits until it is committed. Throws `IngestUnavailable` at once when the
    /// queue is full or closed, or when the batch could not be committed.
    package func submit(_ job: IngestJob) async throws -> IngestReceipt {
        if job.pings.isEmpty && job.sightings.isEmpty { return IngestReceipt(stored: []) }
        return try await withCheckedThrowingContinuation { continuation in
            let wake: CheckedContinuation<Void, Never>? = state.withLock { state in
                if state.closed {
                    continuation.resume(throwing: IngestUnavailable.shuttingDown)
                    return nil
                }
                // An oversized job is still taken when the queue is empty, so it can never wait forever.
                if state.queuedPings > 0, state.queuedPings + job.pings.count > capacity {
                    continuation.resume(throwing: IngestUnavailable.queueFull)
                    return nil
                }
                state.pending.append(Pending(job: job, continuation: continuation))
                state.queuedPings += job.pings.count
                defer { state.writerWaiting = nil }
                return state.writerWaiting
            }
            wake?.resume()
        }
    }

    /// Takes waiting jobs, up to about `maxPings` pings (at least one job); empty when none wait.
    func take(maxPings: Int) -> [Pending] {
        state.withLock { state in
            var taken: [Pending] = []
            var count = 0
            while let first = state.pending.first, taken.isEmpty || count + first.job.pings.count <= maxPings {
                taken.append(state.pending.removeFirst())
                count += first.job.pings.count
            }
            state.queuedPings -= count
            if !taken.isEmpty { state.writerProgress = ContinuousClock.now }
            return taken
        }
    }

    /// Puts jobs taken but not written back at the head of the queue, in their order.
    func putBack(_ jobs: [Pending]) {
        guard !jobs.isEmpty else { return }
        state.withLock { state in
            state.pending.insert(contentsOf: jobs, at: 0)
            state.queuedPings += jobs.reduce(0) { $0 + $1.job.pings.count }
        }
    }

    /// Waits until a job arrives, the queue closes, `poke()` is called, or `deadline` passes (the
    /// writer's next periodic task).
    func waitForWork(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForWork() }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
            poke()  // releases the waiter when the timer (or cancellation) came first
        }
    }

    /// Waits until a job arrives, `poke()` is called, or the queue closes.
    func waitForWork() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.poked {
                    state.poked = false
                    return true
                }
                if !state.pending.isEmpty || state.closed { return true }
                state.writerWaiting?.resume()
                state.writerWaiting = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Wakes the writer (for its periodic work, or to notice cancellation); remembered when the
    /// writer is not waiting, so it is never lost.
    func poke() {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.writerWaiting = nil }
            if state.writerWaiting == nil { state.poked = true }
            return state.writerWaiting
        }
        waiting?.resume()
    }

    /// Refuses new jobs from now on; jobs already queued are still written.
    package func close() {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.writerWaiting = nil }
            return state.writerWaiting
        }
        waiting?.resume()
    }

    var isClosed: Bool { state.withLock { $0.closed } }
}
