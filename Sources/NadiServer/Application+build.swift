package import Hummingbird
package import Logging
import NadiConsole
import NadiNotify
package import NadiStore
import PostgresNIO
package import Prometheus
import ServiceLifecycle

/// The `nadid` application type.
package typealias NadiApplication = Application<RouterResponder<NadiRequestContext>>

/// Builds the `nadid` application: routes, the batch writer and the database client as services.
/// Migrations are applied before the writer, sweeper, poller and listener start and before the
/// server accepts connections.
///
/// - Parameters:
///   - configuration: listen address, limits and writer settings.
///   - client: the PostgreSQL client; the application runs it as a service.
///   - registry: the Prometheus registry `/metrics` serves (tests pass a fresh one).
///   - extraRoutes: more routes on the same router (the demo's stand-in Telegram).
package func buildApplication(
    configuration: ServerConfiguration, client: DatabaseClient, registry: PrometheusCollectorRegistry, logger: Logger,
    extraRoutes: (Router<NadiRequestContext>) -> Void = { _ in }
) throws -> NadiApplication {
    let metrics = ServerMetrics(registry: registry)
    let migrations = try Migration.load(from: ResourceLocator.sqlDirectory())
    let queue = IngestQueue(capacity: configuration.queueCapacity)
    let writer = PingWriter(
        queue: queue, client: client, configuration: configuration.writer, metrics: metrics.factory, logger: logger)
    let directory = DeviceDirectory(store: InventoryStore(client: client, logger: logger, timeZone: configuration.timeZone))
    let renderer = configuration.console ? try ConsoleRenderer() : nil
    let openAPI = try OpenAPIController()
    let passwords = PasswordChecker()
    let router = buildRouter(
        configuration: configuration, client: client, queue: queue, directory: directory, metrics: metrics, migrations: migrations,
        logger: logger,
        extraRoutes: { router in
            openAPI.addRoutes(to: router)
            if let renderer {
                var console = ConsoleConfiguration(timeZone: configuration.timeZone)
                console.publicSchools = configuration.publicSchools
                console.publicPagesPerVisitor = configuration.publicPagesPerVisitor
                console.trustedProxies = Set(configuration.trustedProxies)
                console.loginAttemptsPerAddress = configuration.loginAttemptsPerAddress
                ConsoleController(configuration: console, renderer: renderer, client: client, passwords: passwords, logger: logger)
                    .addRoutes(to: router)
            }
            extraRoutes(router)
        })
    var services: [any Service] = [client]
    if let address = configuration.metricsListen {
        services.append(
            metricsApplication(
                address: address, configuration: configuration, client: client, queue: queue, metrics: metrics, migrations: migrations,
                logger: logger))
    }
    let listener = DeviceChangeListener(feed: DeviceChangeFeed(client: client, logger: logger), directory: directory)
    let gate = MigrationGate()
    var needSchema: [any Service] = [writer, listener]
    if configuration.writer.runsMaintenance { needSchema.append(writer.partitionKeeper) }
    if configuration.pollDevices {
        needSchema.append(
            AdapterPoller(
                client: client, queue: queue, policy: configuration.probePolicy, logger: logger, reloadEvery: configuration.pollerReload,
                maxSamples: configuration.imageChecksAtOnce, checkPictures: configuration.checkPictures))
    }
    if configuration.notify {
        var notifier = configuration.notifier
        notifier.timeZone = configuration.timeZone
        notifier.devicePath = configuration.console ? "/devices/" : "/v1/devices/"
        needSchema.append(Notifier(client: client, configuration: notifier, metrics: metrics.factory, logger: logger))
    }
    let migrated = MigratedServices(
        gate: gate,
        migrate: {
            let applied = try await Migrator(client: client, logger: logger).migrate(migrations)
            if !applied.isEmpty { logger.info("database migrated", metadata: ["migrations.applied": "\(applied.count)"]) }
        }, services: needSchema)
    var app = Application(
        router: router,
        server: .http1(
            configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "nadid"),
        services: services + [migrated, passwords],
        logger: logger
    )
    app.beforeServerStarts { try await gate.wait() }
    return app
}

/// `/metrics` (and `/healthz`) alone on a listener of their own (`--metrics-listen`), so the
/// monitoring network scrapes what the public must not read (device counts per region, channels).
func metricsApplication(
    address: (host: String, port: Int), configuration: ServerConfiguration, client: DatabaseClient, queue: IngestQueue,
    metrics: ServerMetrics, migrations: [Migration], logger: Logger
) -> some Service {
    let router = Router(context: NadiRequestContext.self)
    let health = HealthController(
        client: client, queue: queue, metrics: metrics, migrations: migrations,
        stallLimit: configuration.writer.commitTimeout + .seconds(5), logger: logger)
    router.get("/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
    health.addMetricsRoute(to: router)
    return Application(
        router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "nadid-metrics"),
        logger: logger)
}

/// The routes of `nadid`.
func buildRouter(
    configuration: ServerConfiguration, client: DatabaseClient, queue: IngestQueue, directory: DeviceDirectory, metrics: ServerMetrics,
    migrations: [Migration], logger: Logger, extraRoutes: (Router<NadiRequestContext>) -> Void
) -> Router<NadiRequestContext> {
    let router = Router(context: NadiRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: MetricsMiddleware())
    let routes = MethodMiddleware<NadiRequestContext>.Routes()
    router.add(middleware: MethodMiddleware(routes: routes))
    router.add(middleware: MemoryTrimMiddleware())
    router.add(middleware: AuditMiddleware(trustedProxies: Set(configuration.trustedProxies)))
    let authorizer = Authorizer(
        tokens: TokenStore(client: client, logger: logger), timeout: configuration.databaseTimeout,
        retryAfterSeconds: configuration.retryAfterSeconds)
    let inventory = InventoryStore(client: client, logger: logger, timeZone: configuration.timeZone)
    let sightings = SightingLimiter(perMinute: configuration.sightingsPerMinute, metrics: metrics.factory)
    IngestController(
        configuration: configuration, authorizer: authorizer, inventory: inventory,
        directory: directory, queue: queue, metrics: metrics, sightings: sightings, logger: logger
    ).addRoutes(to: router)
    DeviceController(authorizer: authorizer, client: client, logger: logger).addRoutes(to: router)
    MaintenanceController(
        configuration: configuration, authorizer: authorizer, store: MaintenanceStore(client: client, logger: logger), logger: logger
    ).addRoutes(to: router)
    CoverageController(authorizer: authorizer, client: client, timeZone: configuration.timeZone, logger: logger).addRoutes(to: router)
    AuditController(
        configuration: configuration, authorizer: authorizer, store: AuditStore(client: client, logger: logger), logger: logger
    ).addRoutes(to: router)
    ICLockController(
        configuration: configuration, store: AttendanceStore(client: client, logger: logger), queue: queue, sightings: sightings,
        logger: logger
    ).addRoutes(to: router)
    HealthController(
        client: client, queue: queue, metrics: metrics, migrations: migrations,
        stallLimit: configuration.writer.commitTimeout + .seconds(5), logger: logger
    ).addRoutes(to: router, metrics: configuration.metricsListen == nil)
    extraRoutes(router)
    routes.set(router.routes.map { ("\($0.path)", $0.method) })
    return router
}
