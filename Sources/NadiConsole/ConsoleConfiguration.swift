package import Foundation

/// How `nadid` serves the web console.
package struct ConsoleConfiguration: Sendable {
    /// The deployment's time zone: every time on a page is in it, named WIB, WITA or WIT.
    package var timeZone: TimeZone
    /// Serve `/sekolah` and `/sekolah/{npsn}` to anyone (`--public-schools`).
    package var publicSchools = false
    /// How long a login lasts.
    package var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Failed logins for one user name before further attempts are refused for `loginLockout`.
    package var loginAttempts = 5
    package var loginLockout: Duration = .seconds(15 * 60)
    /// Public school pages served per second before 429 (all visitors together).
    package var publicPagesPerSecond = 20.0
    /// Public school pages served per second to one visitor (one address) before 429.
    package var publicPagesPerVisitor = 3.0
    /// The most rows a device list (all its pages) and its CSV hold.
    package var deviceRowLimit = 100_000

    package init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }
}
