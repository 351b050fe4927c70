import Foundation
import NadiCore
import Synchronization

/// What the ingest writer remembers between batches — the newest ping times not yet written
/// (`LastSeenBuffer`) and its copy of the `device_state` rows (`DeviceStateCache`) — behind one lock.
/// A batch's state step reads and updates it from inside its transaction without waiting for the
/// writer's actor, which may be busy starting the next batch; the writer's periodic work (flush,
/// sweep) uses the same lock between batches.
final class WriterMemory: Sendable {
    struct Contents {
        var lastSeen: LastSeenBuffer
        var stateCache = DeviceStateCache()
    }

    private let contents: Mutex<Contents>

    init(lastSeen: LastSeenBuffer) {
        contents = Mutex(Contents(lastSeen: lastSeen))
    }

    func withLock<T>(_ body: (inout Contents) throws -> T) rethrows -> T {
        try contents.withLock { try body(&$0) }
    }

    /// What a batch's state step starts from: the newest ping times kept in memory and the copy of
    /// the rows, for the batch's devices.
    func stateContext(for devices: Dictionary<Int64, [TimelinePing]>.Keys) -> (
        pending: [Int64: SeenTime], cached: DeviceStateCache.Snapshot
    ) {
        contents.withLock { contents in
            var pending: [Int64: SeenTime] = [:]
            pending.reserveCapacity(devices.count)
            for id in devices { if let seen = contents.lastSeen.pending[id] { pending[id] = seen } }
            return (pending, contents.stateCache.snapshot(for: devices))
        }
    }
}
