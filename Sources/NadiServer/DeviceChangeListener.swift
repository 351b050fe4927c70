import Logging
import NadiStore
import ServiceLifecycle

/// Keeps the device cache true to the database: drops an entry as soon as its device changes
/// region, kind or interval anywhere (another nadid, `nadi devices import`).
struct DeviceChangeListener: Service {
    let feed: DeviceChangeFeed
    let directory: DeviceDirectory

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await feed.follow(connected: { directory.forgetAll() }, changed: { directory.forget($0) })
        }
    }
}
