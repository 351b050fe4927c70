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
    /// Failed logins from one client address before further attempts are refused for `loginLockout`.
    package var loginAttemptsPerAddress = 20
    /// Password checks at once, and how many more may wait; past that a login gets 429 unhashed.
    package var passwordChecksInFlight = 1
    package var passwordChecksWaiting = 4
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client; from anyone else the
    /// header is ignored, so a client cannot choose the address it is limited by.
    package var trustedProxies: Set<String> = []
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
