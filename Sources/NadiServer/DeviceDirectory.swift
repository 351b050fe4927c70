import Foundation
import Logging
import NadiCore
import NadiStore
import Synchronization

/// External device id → device, cached in memory so the ingest path resolves ids without a query.
/// Misses are looked up in bulk; inventory writes through this daemon update the cache at once,
/// changes made anywhere else are announced by the database (`DeviceChangeFeed`) and drop the entry,
/// and entries expire after `lifetime` besides.
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

    /// Drops the cached entry of `externalID` (the device moved or changed).
    func forget(_ externalID: String) {
        _ = cache.withLock { $0.removeValue(forKey: externalID) }
    }

    /// Drops every cached entry (changes may have been missed while the listener reconnected).
    func forgetAll() {
        cache.withLock { $0.removeAll() }
    }

    func remember(_ devices: [DeviceInfo]) {
        let now = ContinuousClock.now
        cache.withLock { cache in
            for device in devices { cache[device.externalID] = Entry(info: device, loaded: now) }
        }
    }
}
