import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NadiCore
import NadiDemo
import NadiLauncher
import NadiNotify
import NadiServer
import NadiStore
import PostgresNIO
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `nadid`: the Nadi daemon. Parses options and runs the application from `NadiServer`.
@main
struct Nadid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nadid",
        abstract: "Collects inventory and health pings of smart-city devices into PostgreSQL.",
        discussion: """
            With no --database-url and no NADI_DATABASE_URL, nadid runs a private PostgreSQL cluster under \
            --state-dir (created on first start, stopped when nadid stops).

            Examples:
              nadid                                   # embedded database under ./nadi-data, port 8080
              nadid --demo                            # plus a demo city (Kota Palembang) and simulated pings
              NADI_DATABASE_URL=postgres://nadi@db/nadi nadid --host 0.0.0.0
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "PostgreSQL URL as psql takes it (default: $NADI_DATABASE_URL, else the embedded cluster).")
    var databaseURL: String?
    @Option(help: "State directory of the embedded PostgreSQL cluster.") var stateDir = "./nadi-data"
    @Option(help: "Largest request body in bytes (larger gets 413).") var maxBodyBytes = 16 << 20
    @Option(help: "Most records in one request (more gets 413).") var maxRecordsPerRequest = 100_000
    @Option(help: "Most new unregistered devices recorded per source (http, iclock) per minute; more are counted, not stored.")
    var sightingsPerMinute = 120
    @Option(help: "Most pings waiting for the database (more gets 503 with Retry-After).") var queueCapacity = 200_000
    @Option(help: "Seconds a keep-alive connection may sit idle between requests.") var idleTimeout = 30
    @Option(help: "Seconds a request body may take to arrive in full; a client that stalls or trickles gets 408.") var requestTimeout = 60
    @Option(help: "Missed heartbeats before a device counts as silent (down).") var missCount = 3
    @Option(help: "Days raw pings are kept (state history is kept for good).") var retentionDays = 90
    @Option(help: "Time zone of the deployment, for report dates.") var timeZone = "Asia/Jakarta"
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Flag(
        inversion: .prefixedNo,
        help:
            "Poll devices that cannot push: SNMP for fiber links with attributes.snmp, RTSP/HTTP/TCP probes for devices with attributes.probe."
    )
    var poll = true
    @Option(help: "Seconds SIGTERM waits for queued pings to commit before cancelling what is left (answered 503).")
    var shutdownTimeout = 30
    @Option(
        help: ArgumentHelp(
            "An address range the poller may probe although it is loopback or link-local (repeatable), e.g. 127.0.0.0/8.",
            discussion:
                "By default nadid refuses to poll 127.0.0.0/8, ::1, 169.254.0.0/16, fe80::/10 and 0.0.0.0/8: an inventory token could otherwise probe this machine or cloud metadata services and read the result.",
            valueName: "CIDR"))
    var probeAllow: [String] = []
    @Option(
        help: ArgumentHelp(
            "Camera picture samples at once (1–32).",
            discussion:
                "The poller decodes a few seconds of each camera's stream with FFmpeg (attributes.image_check: every 5 min, 5 s by default) to tell a black, frozen or blurred picture; a sample costs about 0.2 CPU seconds for a 320×240 MJPEG stream (see the README for larger ones). More at once checks more cameras per interval and takes more CPU from ingest.",
            valueName: "N"))
    var imageChecksAtOnce = 2
    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Check the picture of cameras with a stream_url (black, frozen, blurred; needs ffmpeg).",
            discussion:
                "Only numbers leave the decoder: no picture is stored, logged or served. The demo turns this off: its cameras are simulated, and the simulator reports their pictures."
        ))
    var imageChecks = true
    @Flag(
        inversion: .prefixedNo,
        help: "Send alerts to the channels of `nadi notify` (one nadid sends at a time; the others stand by).")
    var notify = true
    @Option(
        help: ArgumentHelp(
            "The address people reach this nadid at (e.g. https://nadi.palembang.go.id); alert messages then link to the device.",
            valueName: "URL"))
    var publicURL: String?
    @Flag(
        inversion: .prefixedNo,
        help: "Serve the web console at / (log in with a user from `nadi user create`).")
    var console = true
    @Flag(
        help:
            "Serve the public school pages /sekolah and /sekolah/{npsn} to anyone: whether a school's public camera works now, its stream links and last 7 days' availability (never private cameras)."
    )
    var publicSchools = false
    @Option(
        help:
            "Public school pages one visitor (address, or the X-Forwarded-For hop a trusted proxy added) may load per second; more get 429."
    )
    var publicPagesPerVisitor = 3.0
    @Option(
        help: ArgumentHelp(
            "The address of a reverse proxy in front of nadid (repeatable), e.g. 127.0.0.1.",
            discussion:
                "Only requests from these addresses may name the client in X-Forwarded-For (its last hop); from anyone else the header is ignored, so a client cannot pick the address its login and page limits count against. Without it every client is its socket address.",
            valueName: "ADDRESS"))
    var trustedProxy: [String] = []
    @Option(help: "Failed console logins from one client address within 15 minutes before it gets 429 (per user name: 5).")
    var loginAttemptsPerAddress = 20
    @Option(
        help: ArgumentHelp(
            "Serve /metrics on this address only (e.g. 127.0.0.1:9464), not on the main listener.",
            discussion:
                "/metrics lists device counts by state per region and alert channel names: when nadid faces the internet, give Prometheus a listener the public cannot reach.",
            valueName: "HOST:PORT"))
    var metricsListen: String?
    @Flag(help: "Load a demo city (Kota Palembang: real schools, devices of all four kinds, masterplan targets) and simulate pings.")
    var demo = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard requestTimeout >= 1 else { throw ValidationError("--request-timeout must be at least 1 second") }
        guard maxRecordsPerRequest >= 1 else { throw ValidationError("--max-records-per-request must be at least 1") }
        guard sightingsPerMinute >= 0 else { throw ValidationError("--sightings-per-minute must be 0 or more") }
        guard queueCapacity >= 1 else { throw ValidationError("--queue-capacity must be at least 1") }
        guard (1...100).contains(missCount) else { throw ValidationError("--miss-count must be 1–100") }
        guard (1...3600).contains(shutdownTimeout) else { throw ValidationError("--shutdown-timeout must be 1–3600 seconds") }
        guard retentionDays >= 1 else { throw ValidationError("--retention-days must be at least 1") }
        guard TimeZone(identifier: timeZone) != nil else {
            throw ValidationError("unknown --time-zone '\(timeZone)' (try Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
        }
        guard (1...32).contains(imageChecksAtOnce) else { throw ValidationError("--image-checks-at-once must be 1–32") }
        for range in probeAllow where ProbeAddressPolicy.Range(range) == nil {
            throw ValidationError("--probe-allow '\(range)' is not an address range such as 127.0.0.0/8 or fe80::/10")
        }
        for proxy in trustedProxy where HostReach.ipv4(proxy) == nil && HostReach.ipv6(proxy) == nil {
            throw ValidationError("--trusted-proxy '\(proxy)' is not an IP address such as 127.0.0.1 or ::1")
        }
        if let metricsListen, Self.hostAndPort(metricsListen) == nil {
            throw ValidationError("--metrics-listen '\(metricsListen)' must be HOST:PORT, e.g. 127.0.0.1:9464")
        }
        guard loginAttemptsPerAddress >= 1 else { throw ValidationError("--login-attempts-per-address must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--public-url must be an http:// or https:// address, e.g. https://nadi.example.go.id")
            }
        }
    }

    func run() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DescribedMetricsFactory(registry: registry))
        var logger = Logger(label: "nadid")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.queueCapacity = queueCapacity
        configuration.maxRecordsPerRequest = maxRecordsPerRequest
        configuration.sightingsPerMinute = sightingsPerMinute
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.pollDevices = poll
        // The demo's own adapters (snmpd, the HTTP probe) live on this machine.
        let allowed = probeAllow + (demo && probeAllow.isEmpty ? ["127.0.0.0/8"] : [])
        configuration.probePolicy = ProbeAddressPolicy(allowed: allowed.compactMap(ProbeAddressPolicy.Range.init))
        configuration.imageChecksAtOnce = imageChecksAtOnce
        configuration.checkPictures = imageChecks && !demo
        configuration.requestTimeout = .seconds(requestTimeout)
        configuration.timeZone = TimeZone(identifier: timeZone) ?? configuration.timeZone
        configuration.writer.missCount = missCount
        configuration.writer.retentionDays = retentionDays
        configuration.notify = notify
        configuration.console = console
        configuration.publicSchools = publicSchools || demo
        configuration.publicPagesPerVisitor = publicPagesPerVisitor
        configuration.trustedProxies = trustedProxy
        configuration.loginAttemptsPerAddress = loginAttemptsPerAddress
        configuration.metricsListen = metricsListen.flatMap(Self.hostAndPort)
        configuration.notifier.publicURL = publicURL.flatMap(URL.init(string:))
        // A restarted nadid on the same host and port takes the notifier lease back at once.
        if port != 0 { configuration.notifier.instance = "\(HostName.local):\(port)" }

        let database: OpenedDatabase
        do {
            database = try await OpenedDatabase.open(
                DatabaseTarget.resolve(databaseURL: databaseURL, stateDirectory: stateDir), logger: logger)
        } catch {
            FileHandle.standardError.write(Data("nadid: cannot open the database: \(error)\n".utf8))
            throw ExitCode(2)
        }
        logger.info("database", metadata: ["database.url": "\(database.url)"])
        do {
            try await Self.waitForDatabase(database.url, logger: logger)
        } catch let problem as DatabaseUnreachable {
            logger.critical(
                "cannot use the database; not retrying",
                metadata: ["database.url": "\(database.url)", "error": "\(problem.reason)", "hint": "\(problem.hint)"])
            FileHandle.standardError.write(Data("nadid: cannot use the database \(database.url): \(problem)\n".utf8))
            try? await database.close()
            throw ExitCode(2)
        } catch {
            logger.notice("stopped by a signal while waiting for the database")
            try? await database.close()
            return
        }
        do {
            let client = try database.makeClient(logger: logger)
            try await runDaemon(configuration: configuration, client: client, registry: registry, database: database, logger: logger)
        } catch {
            logger.error("nadid stopped with an error", metadata: ["error": "\(error)"])
            try? await database.close()
            throw ExitCode(1)
        }
        try await database.close()
    }

    /// `127.0.0.1:9464` or `[::1]:9464` as host and port.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// Waits until the database answers, retrying a server that is down with backoff; ends early on
    /// SIGTERM or SIGINT (throws CancellationError) and at once on a permanent failure (throws
    /// `DatabaseUnreachable`).
    static func waitForDatabase(_ url: DatabaseURL, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await DatabaseProbe.waitUntilReachable(url, logger: logger)
                return true
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return false }
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else { throw CancellationError() }
        }
    }

    func runDaemon(
        configuration: ServerConfiguration, client: DatabaseClient, registry: PrometheusCollectorRegistry,
        database: OpenedDatabase, logger: Logger
    ) async throws {
        let app =
            demo
            ? try buildDemoApplication(
                configuration: configuration, client: client, registry: registry, stateDirectory: stateDir, logger: logger)
            : try buildApplication(configuration: configuration, client: client, registry: registry, logger: logger)
        // SIGTERM ends the process in bounded time even when something ignores graceful shutdown:
        // after `shutdownTimeout` the services are cancelled (the writer answers what it still holds
        // with 503), and a part that ignores cancellation too ends the process (a crash, not a hang).
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(shutdownTimeout)
        group.maximumCancellationDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
    }
}
