package import Foundation
package import NadiNotify
package import NadiStore

/// Everything `nadid` needs, built from flags and environment by the executable and directly by tests.
package struct ServerConfiguration: Sendable {
    /// Address to listen on.
    package var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one.
    package var port = 8080
    /// Largest request body accepted (bigger gets 413).
    package var maxBodyBytes = 16 << 20
    /// Most records one request may carry (more gets 413): bounds the answer and the memory a request takes.
    package var maxRecordsPerRequest = 100_000
    /// Most new unregistered sightings recorded per source (`http`, `iclock`) per minute; more are
    /// counted in `nadi_sightings_dropped_total` and not stored.
    package var sightingsPerMinute = 120
    /// Most pings that may wait for the writer (more gets 503 with Retry-After).
    package var queueCapacity = 200_000
    /// Close keep-alive connections idle this long between requests.
    package var idleTimeout: Duration = .seconds(30)
    /// Longest a request body may take to arrive (bounds a client that stalls or trickles
    /// mid-request); 408 and the connection closed after.
    package var requestTimeout: Duration = .seconds(60)
    /// How long a request waits for the database before it gets 503.
    package var databaseTimeout: Duration = .seconds(5)
    /// Seconds a client is told to wait after a 503.
    package var retryAfterSeconds = 1
    /// The deployment's time zone, for dates in reports.
    package var timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    /// Whether this nadid polls devices that cannot push (SNMP fiber links, probed cameras and
    /// videotrons); only one nadid polls at a time either way.
    package var pollDevices = true
    /// Which addresses the poller may probe (loopback and link-local only when allowed).
    package var probePolicy = ProbeAddressPolicy()
    /// Whether the poller samples camera pictures (with `pollDevices`; FFmpeg must be installed).
    package var checkPictures = true
    /// Camera picture samples the poller runs at once (each decodes a few seconds of video).
    package var imageChecksAtOnce = 2
    /// How often the poller re-reads which devices to poll.
    package var pollerReload: Duration = .seconds(30)
    /// The batch writer's settings (miss count, retention, sweeper…).
    package var writer = PingWriterConfiguration()
    /// Whether this nadid may run the notifier (one nadid sends at a time either way).
    package var notify = true
    /// The notifier's settings (tick, retries, lease, public URL for links).
    package var notifier = NotifierConfiguration()

    /// Whether nadid serves the web console at `/` (`--console`, on by default).
    package var console = true
    /// Whether the public school pages `/sekolah` are served to anyone (`--public-schools`).
    package var publicSchools = false
    /// Public school pages one visitor may load per second (`--public-pages-per-visitor`).
    package var publicPagesPerVisitor = 3.0
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`);
    /// from anyone else the header is ignored.
    package var trustedProxies: [String] = []
    /// Failed console logins from one client address before it must wait (`--login-attempts-per-address`).
    package var loginAttemptsPerAddress = 20
    /// Where `/metrics` is served instead of the main listener (`--metrics-listen`): a port only
    /// the monitoring network reaches. Nil: on the main listener, as before.
    package var metricsListen: (host: String, port: Int)?

    package init() {}

    /// How far back a ping may be observed: the raw-ping retention.
    package var retention: TimeInterval { TimeInterval(writer.retentionDays) * 86_400 }
}
