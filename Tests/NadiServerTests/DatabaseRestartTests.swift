import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Prometheus
import Testing

@Suite("Database restart")
struct DatabaseRestartTests {
    @Test("while PostgreSQL is down, ingest answers 503 with Retry-After and readyz says so; afterwards nadid recovers by itself")
    func restart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-restart-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = EmbeddedPostgres(
            stateDirectory: directory, installation: try await PostgresInstallation.locate(), durable: false,
            logger: TestCluster.quietLogger)
        _ = try await cluster.start()
        let token = try await TestClient.with(cluster.url) { client async throws in
            try await Migrator(client: client, logger: TestCluster.quietLogger).migrate(
                Migration.load(from: ResourceLocator.sqlDirectory()))
            _ = try await RegionImporter(client: client, logger: TestCluster.quietLogger).importRows(
                RegionImporter.parse(
                    CSVDocument(data: Data("code,parent_code,level,name,type\n16,,province,Sumatera Selatan,provinsi\n".utf8))))
            return try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "t", region: nil, scopes: [.ingest, .inventory]
            ).1
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.retryAfterSeconds = 3
        var clientConfiguration = try cluster.url.clientConfiguration()
        clientConfiguration.options.connectTimeout = .seconds(2)
        let client = DatabaseClient(configuration: clientConfiguration, backgroundLogger: TestCluster.quietLogger)
        let app = try buildApplication(
            configuration: configuration, client: client, registry: PrometheusCollectorRegistry(), logger: TestCluster.quietLogger)
        try await app.test(.live) { http async throws in
            let device =
                #"[{"id":"VT-1","kind":"videotron","region":"16","name":"Videotron","installed":"2025-01-01","attributes":{"size_m2":20}}]"#
            #expect(try Outcome(try await http.post("/v1/inventory", token: token, json: device)).accepted == 1)
            #expect(
                try Outcome(
                    try await http.post("/v1/pings", token: token, json: "[\(Fixtures.ping("VT-1", Date().addingTimeInterval(-60)))]")
                ).accepted == 1)

            try await cluster.stop()
            let started = ContinuousClock.now
            let refused = try await http.post("/v1/pings", token: token, json: "[\(Fixtures.ping("VT-1", Date()))]")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "3")
            #expect(ContinuousClock.now - started < .seconds(15), "no hang")
            #expect(try await http.get("/readyz", token: nil).status == .serviceUnavailable)
            #expect(try await http.get("/healthz", token: nil).status == .ok)

            _ = try await cluster.start()
            var recovered = false
            var pinged = Date()
            for _ in 0..<100 where !recovered {
                pinged = Date()
                let response = try await http.post("/v1/pings", token: token, json: "[\(Fixtures.ping("VT-1", pinged))]")
                recovered = response.status == .ok
                if !recovered { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(recovered, "ingest works again without restarting nadid")
            #expect(try await http.get("/readyz", token: nil).status == .ok)
        }
        try await TestClient.with(cluster.url) { client async throws in
            #expect(
                try await TestClient.scalar(client, "SELECT count(*)::int8 FROM ping", as: Int.self) == 2,
                "the ping before and the one after")
        }
        try await cluster.stop()
    }
}
