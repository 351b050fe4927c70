import Synchronization

/// A batch the writer has started: its pings' keys (so that the next batch leaves out requests that
/// repeat one of them), the task committing it, and whether that task is done.
///
/// Two batches overlap (`PingWriter`): while one takes its state step and commits, the next copies
/// its pings on another connection, then waits for the first to finish before its own state step.
final class InFlightBatch: Sendable {
    let keys: Set<BatchInserter.PingKey>
    let task: Task<Void, Never>
    private let done: Done

    private final class Done: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// Starts `commit`; `finished` is called (and `isFinished` true) when it returns.
    init(jobs: [IngestQueue.Pending], commit: @escaping @Sendable () async -> Void, finished: @escaping @Sendable () -> Void) {
        var keys = Set<BatchInserter.PingKey>()
        keys.reserveCapacity(jobs.reduce(0) { $0 + $1.job.pings.count })
        for pending in jobs {
            let pings = pending.job.pings
            for index in pings.indices {
                keys.insert(BatchInserter.PingKey(device: pings[index].deviceID, micros: pings[index].observedMicros))
            }
        }
        self.keys = keys
        let done = Done()
        self.done = done
        // Unstructured, so that the writer can take the next batch meanwhile; the writer awaits
        // every one before it returns, and cancels them when it is cancelled.
        task = Task {
            await commit()
            done.flag.store(true, ordering: .releasing)
            finished()
        }
    }

    var isFinished: Bool { done.flag.load(ordering: .acquiring) }

    /// Splits `jobs` into those that may be written alongside this batch and those that repeat one
    /// of its pings: written after it, they are plain duplicates (or stored, had this batch failed),
    /// and two open transactions never wait on each other's rows.
    func separate(_ jobs: [IngestQueue.Pending]) -> (ready: [IngestQueue.Pending], held: [IngestQueue.Pending]) {
        var ready: [IngestQueue.Pending] = []
        var held: [IngestQueue.Pending] = []
        for pending in jobs {
            let repeats = pending.job.pings.contains {
                keys.contains(BatchInserter.PingKey(device: $0.deviceID, micros: $0.observedMicros))
            }
            if repeats { held.append(pending) } else { ready.append(pending) }
        }
        return (ready, held)
    }
}
