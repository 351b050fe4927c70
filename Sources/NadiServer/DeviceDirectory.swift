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
    /// A cached device, without its external id (the key) and with its mirror source kept aside:
    /// one entry per device for the life of the process, so it holds only what a ping needs and
    /// the load time as an integer rather than a clock instant (`nadi bench ingest` reports the RSS).
    private struct Entry {
        var id: Int64
        var region: RegionCode
        /// When it was loaded, in milliseconds after `origin`.
        var loadedMillis: Int64
        var intervalSeconds: Int32
        var kind: DeviceKind
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        /// `DeviceInfo.mirroredFrom` of the cached devices that have one (federation mirrors; few).
        var mirrors: [String: String] = [:]

        mutating func remove(_ externalID: String) {
            entries.removeValue(forKey: externalID)
            mirrors.removeValue(forKey: externalID)
        }
    }

    private let cache = Mutex(Storage())
    private let store: InventoryStore
    private let lifetimeMillis: Int64
    private let origin = ContinuousClock.now

    init(store: InventoryStore, lifetime: Duration = .seconds(60)) {
        self.store = store
        self.lifetimeMillis = Self.millis(lifetime)
    }

    private static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private var nowMillis: Int64 { Self.millis(ContinuousClock.now - origin) }

    /// The devices known under these ids (unknown ids are absent).
    func resolve(_ externalIDs: some Collection<String>) async throws -> [String: DeviceInfo] {
        var found: [String: DeviceInfo] = [:]
        found.reserveCapacity(externalIDs.count)
        var missing: [String] = []
        let now = nowMillis
        cache.withLock { cache in
            for id in externalIDs {
                if let entry = cache.entries[id], now - entry.loadedMillis < lifetimeMillis {
                    found[id] = DeviceInfo(
                        id: entry.id, externalID: id, kind: entry.kind, region: entry.region, intervalSeconds: Int(entry.intervalSeconds),
                        mirroredFrom: cache.mirrors[id])
                } else {
                    missing.append(id)
                }
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
        cache.withLock { $0.remove(externalID) }
    }

    /// Drops every cached entry (changes may have been missed while the listener reconnected).
    func forgetAll() {
        cache.withLock { $0 = Storage() }
    }

    func remember(_ devices: [DeviceInfo]) {
        let now = nowMillis
        cache.withLock { cache in
            for device in devices {
                // interval_s is 1–86400 (schema part 1's check), so it fits 32 bits.
                cache.entries[device.externalID] = Entry(
                    id: device.id, region: device.region, loadedMillis: now, intervalSeconds: Int32(clamping: device.intervalSeconds),
                    kind: device.kind)
                if let mirror = device.mirroredFrom {
                    cache.mirrors[device.externalID] = mirror
                } else {
                    cache.mirrors.removeValue(forKey: device.externalID)
                }
            }
        }
    }
}
