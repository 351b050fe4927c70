import Foundation
import Logging
import NadiCore
import NadiStore
import Synchronization

/// External device id → device, cached in memory so the ingest path resolves ids without a query.
/// Misses are looked up in bulk; inventory writes through this daemon update the cache at once, and
/// entries expire after `lifetime` so changes made through another `nadid` are picked up.
final class DeviceDirectory: Sendable {
    private struct Entry {
        var info: DeviceInfo
        var loaded: ContinuousClock.Instant
    }

    private let cache = Mutex<[String: Entry]>([:])
    private let store: InventoryStore
    private let lifetime: Duration

    init(store: InventoryStore, lifetime: Duration = .seconds(60)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// The devices known under these ids (unknown ids are absent).
    func resolve(_ externalIDs: some Collection<String>) async throws -> [String: DeviceInfo] {
        var found: [String: DeviceInfo] = [:]
        var missing: [String] = []
        let now = ContinuousClock.now
        cache.withLock { cache in
            for id in externalIDs {
                if let entry = cache[id], now - entry.loaded < lifetime { found[id] = entry.info } else { missing.append(id) }
            }
        }
        if !missing.isEmpty {
            let loaded = try await store.devices(externalIDs: Array(Set(missing)))
            remember(loaded)
            for info in loaded { found[info.externalID] = info }
        }
        return found
    }

    func remember(_ devices: [DeviceInfo]) {
        let now = ContinuousClock.now
        cache.withLock { cache in
            for device in devices { cache[device.externalID] = Entry(info: device, loaded: now) }
        }
    }
}
