import Logging
import NadiCore
import NadiStore
import Synchronization

/// External device id → device, cached in memory so the ingest path resolves ids without a query.
/// Misses are looked up in bulk; inventory writes through this daemon update the cache at once.
final class DeviceDirectory: Sendable {
    private let cache = Mutex<[String: DeviceInfo]>([:])
    private let store: InventoryStore

    init(store: InventoryStore) { self.store = store }

    /// The devices known under these ids (unknown ids are absent).
    func resolve(_ externalIDs: some Collection<String>) async throws -> [String: DeviceInfo] {
        var found: [String: DeviceInfo] = [:]
        var missing: [String] = []
        cache.withLock { cache in
            for id in externalIDs {
                if let info = cache[id] { found[id] = info } else { missing.append(id) }
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
        cache.withLock { cache in
            for device in devices { cache[device.externalID] = device }
        }
    }
}
