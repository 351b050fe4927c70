package import Foundation
import NadiCore

/// How the notifier runs.
package struct NotifierConfiguration: Sendable {
    /// How often it reads the outbox, decides and sends.
    package var tick: Duration = .seconds(1)
    /// The first retry waits about this long; each further one twice as long (with jitter).
    package var retryBase: Duration = .seconds(10)
    /// No retry waits longer than this.
    package var maxRetryDelay: Duration = .seconds(3600)
    /// A message not delivered this long after it was queued is given up (marked failed).
    package var giveUpAfter: Duration = .seconds(24 * 3600)
    /// Longest wait for one receiver's answer.
    package var requestTimeout: Duration = .seconds(10)
    /// The notifier lease: another nadid takes over this long after the holder stopped renewing it.
    package var leaseSeconds = 15
    /// This instance, as the lease names it. The same name after a restart takes the lease back at once.
    package var instance = "\(HostName.local):\(ProcessInfo.processInfo.processIdentifier)"
    /// Messages link to `<publicURL><devicePath><id>` when set.
    package var publicURL: URL?
    /// The console's device page (`/devices/`), or the API's (`/v1/devices/`) without a console.
    package var devicePath = "/devices/"
    /// The deployment's zone, for the times in messages.
    package var timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    /// Events and finished deliveries older than this are deleted.
    package var keep: TimeInterval = 90 * 86_400

    package init() {}

    /// When to try again after `attempts` failed tries of a message queued at `created`; nil to give up.
    package func retryAt(attempts: Int, created: Date, now: Date, asked: TimeInterval?, jitter: Double) -> Date? {
        guard now.timeIntervalSince(created) < giveUpAfter.seconds else { return nil }
        if let asked, asked > 0 { return now.addingTimeInterval(min(asked, maxRetryDelay.seconds)) }
        let exponent = Double(min(max(attempts - 1, 0), 30))
        let delay = min(retryBase.seconds * pow(2, exponent), maxRetryDelay.seconds)
        return now.addingTimeInterval(delay * (0.5 + 0.5 * min(max(jitter, 0), 1)))
    }
}
