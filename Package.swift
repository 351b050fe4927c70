// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "nadi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nadid", targets: ["nadid"]),
        .executable(name: "nadi", targets: ["nadi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "NadiCore",
            swiftSettings: swiftSettings
        ),
        // Small helpers for every module that does I/O: deadlines, password hashes.
        .target(
            name: "NadiSupport",
            dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiStore",
            dependencies: [
                "NadiCore",
                "NadiSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiReports",
            dependencies: ["NadiCore"],
            swiftSettings: swiftSettings
        ),
        // Launching processes: the embedded PostgreSQL server (initdb, pg_ctl, as an unprivileged
        // user), child processes such as the benchmark's nadid, free local ports.
        .target(
            name: "NadiLauncher",
            dependencies: [
                "NadiStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Printing HTML reports to PDF with headless Chromium (Debian's `chromium`), for the monthly
        // report in the CLI, the console and scheduled sends.
        .target(
            name: "NadiPrinting",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // The demo city and its ping simulator: linked by nadid only.
        .target(
            name: "NadiDemo",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiBench",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiLauncher",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Alerts that reach people: the notifier service and its webhook and Telegram senders.
        .target(
            name: "NadiNotify",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiReports",
                "NadiPrinting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The web console: server-rendered pages for ops, planners and parents.
        .target(
            name: "NadiConsole",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiSupport",
                "NadiReports",
                "NadiPrinting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiServer",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiSupport",
                "NadiReports",
                "NadiNotify",
                "NadiConsole",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nadid",
            dependencies: [
                "NadiServer",
                "NadiNotify",
                "NadiCore",
                "NadiStore",
                "NadiLauncher",
                "NadiDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nadi",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiReports",
                "NadiLauncher",
                "NadiBench",
                "NadiNotify",
                "NadiPrinting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiTestSupport",
            dependencies: [
                "NadiCore",
                "NadiStore",
                "NadiLauncher",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/NadiTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NadiCoreTests",
            dependencies: ["NadiCore", "NadiTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NadiStoreTests",
            dependencies: [
                "NadiStore", "NadiCore", "NadiLauncher", "NadiTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NadiReportsTests",
            dependencies: ["NadiReports", "NadiCore", .product(name: "CSV", package: "CSV.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NadiServerTestSupport",
            dependencies: serverTestSupportDependencies,
            path: "Tests/NadiServerTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NadiLauncherTests",
            dependencies: ["NadiLauncher", "NadiStore", "NadiTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NadiServerTests",
            dependencies: serverTestDependencies,
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NadiConsoleTests", dependencies: serverTestDependencies, swiftSettings: swiftSettings),
        .testTarget(name: "NadiNotifyTests", dependencies: serverTestDependencies, swiftSettings: swiftSettings),
        .testTarget(name: "NadiCLITests", dependencies: serverTestDependencies, swiftSettings: swiftSettings),
    ]
)

/// What the helpers that start a `nadid` against a real PostgreSQL build on.
var serverTestSupportDependencies: [Target.Dependency] {
    [
        "NadiSupport", "NadiServer", "NadiStore", "NadiCore", "NadiLauncher", "NadiTestSupport", "NadiBench",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ]
}

/// What the tests of the HTTP server, the console, the alert channels and the binaries share: the
/// modules under test, the helpers and what those build on.
var serverTestDependencies: [Target.Dependency] {
    serverTestSupportDependencies + ["NadiServerTestSupport", "NadiNotify", "NadiReports", "NadiConsole", "NadiDemo"]
}
