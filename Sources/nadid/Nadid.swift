import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import NadiServer
import NadiStore
import PostgresNIO
import Prometheus

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
    @Flag(help: "Load a demo city (Kota Palembang: real schools, devices of all four kinds, masterplan targets) and simulate pings.")
    var demo = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard requestTimeout >= 1 else { throw ValidationError("--request-timeout must be at least 1 second") }
        guard queueCapacity >= 1 else { throw ValidationError("--queue-capacity must be at least 1") }
        guard (1...100).contains(missCount) else { throw ValidationError("--miss-count must be 1–100") }
        guard retentionDays >= 1 else { throw ValidationError("--retention-days must be at least 1") }
        guard TimeZone(identifier: timeZone) != nil else {
            throw ValidationError("unknown --time-zone '\(timeZone)' (try Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    func run() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "nadid")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.queueCapacity = queueCapacity
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.pollDevices = poll
        configuration.requestTimeout = .seconds(requestTimeout)
        configuration.timeZone = TimeZone(identifier: timeZone) ?? configuration.timeZone
        configuration.writer.missCount = missCount
        configuration.writer.retentionDays = retentionDays

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
            let client = try database.makeClient(logger: logger)
            try await runDaemon(configuration: configuration, client: client, registry: registry, database: database, logger: logger)
        } catch {
            logger.error("nadid stopped with an error", metadata: ["error": "\(error)"])
            try? await database.close()
            throw ExitCode(1)
        }
        try await database.close()
    }

    func runDaemon(
        configuration: ServerConfiguration, client: PostgresClient, registry: PrometheusCollectorRegistry,
        database: OpenedDatabase, logger: Logger
    ) async throws {
        if demo {
            let demoApp = try buildDemoApplication(
                configuration: configuration, client: client, registry: registry, stateDirectory: stateDir, logger: logger)
            try await demoApp.runService()
        } else {
            let app = try buildApplication(configuration: configuration, client: client, registry: registry, logger: logger)
            try await app.runService()
        }
    }
}
