package import Foundation
import HTTPTypes
import Hummingbird
package import HummingbirdTesting
import Logging
package import NadiCore
package import NadiServer
package import NadiStore
import NadiTestSupport
import PostgresNIO
import Prometheus

/// A `nadid` on a fresh migrated database, reached through a real socket, with tokens for the tests.
package struct NadiTestApp: Sendable {
    package let url: DatabaseURL
    /// All scopes, all of Indonesia.
    package let admin: String
    /// ingest + inventory + read, limited to Kota Palembang (16.71).
    package let palembang: String

    package init(url: DatabaseURL, admin: String, palembang: String) {
        self.url = url
        self.admin = admin
        self.palembang = palembang
    }

    package static func run<T: Sendable>(
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (NadiTestApp, any TestClientProtocol, DatabaseClient) async throws -> T
    ) async throws -> T {
        let url = try await TestCluster.shared.migratedDatabase()
        return try await TestClient.with(url, maximumConnections: 2) { assertions in
            let tokens = TokenStore(client: assertions, logger: TestCluster.quietLogger)
            let (_, admin) = try await tokens.create(name: "admin", region: nil, scopes: Set(TokenScope.allCases))
            let (_, palembang) = try await tokens.create(
                name: "palembang", region: RegionCode("16.71"), scopes: [.ingest, .inventory, .read])
            let context = NadiTestApp(url: url, admin: admin, palembang: palembang)
            var configuration = ServerConfiguration()
            configuration.port = 0
            // Only the alert tests need a notifier (they turn it on).
            configuration.notify = false
            // Only the picture tests sample streams (they turn it on); other tests' cameras do not exist.
            configuration.checkPictures = false
            configure(&configuration)
            var clientConfiguration = try url.clientConfiguration()
            clientConfiguration.options.maximumConnections = 4
            let client = DatabaseClient(configuration: clientConfiguration, backgroundLogger: TestCluster.quietLogger)
            let app = try buildApplication(
                configuration: configuration, client: client, registry: PrometheusCollectorRegistry(), logger: TestCluster.quietLogger)
            do {
                return try await app.test(.live) { http in try await body(context, http, assertions) }
            } catch {
                print("NadiTestApp error: \(String(reflecting: error))")
                throw error
            }
        }
    }
}

extension TestClientProtocol {
    /// POSTs `body` (JSON unless told) with a bearer token.
    package func post(_ uri: String, token: String?, json body: String, contentType: String = "application/json") async throws
        -> TestResponse
    {
        var headers: HTTPFields = [.contentType: contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    package func get(_ uri: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .get, headers: headers)
    }
}

/// The JSON answer of a batch endpoint.
package struct Outcome: Decodable, Equatable {
    package struct Rejection: Decodable, Equatable {
        package var index: Int
        package var error: String
    }
    package var accepted: Int
    package var duplicates: Int
    package var rejected: [Rejection]

    package init(accepted: Int, duplicates: Int, rejected: [Rejection]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }

    package init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(Outcome.self, from: Data(response.body.readableBytesView))
    }
}

/// Seeds sites and devices used by many tests.
package enum Fixtures {
    package static let devices = """
        [{"id":"PLG-CCTV-1","kind":"cctv","region":"16.71.01","name":"Simpang Charitas","installed":"2024-01-01",
          "attributes":{"public":true,"stream_url":"rtsp://10.1.2.3/main"}},
         {"id":"PLG-FO-1","kind":"fiber_link","region":"16.71.02","name":"Ring A","installed":"2024-01-01",
          "attributes":{"length_km":12.5,"a_end":"POP A","z_end":"POP B"}},
         {"id":"OKU-VT-1","kind":"videotron","region":"16.01.07","name":"Videotron Baturaja","installed":"2024-01-01",
          "attributes":{"size_m2":32}}]
        """

    package static func seed(_ http: some TestClientProtocol, _ app: NadiTestApp) async throws {
        let response = try await http.post("/v1/inventory", token: app.admin, json: devices)
        precondition(response.status == .ok, "seeding failed: \(String(buffer: response.body))")
    }

    package static func ping(_ device: String, _ at: Date, _ status: String = "up") -> String {
        #"{"device":"\#(device)","at":"\#(Timestamp.format(at))","status":"\#(status)"}"#
    }
}

/// The stored intervals of a device, oldest first.
package func intervals(of device: String, _ client: DatabaseClient) async throws -> [StateRun] {
    var runs: [StateRun] = []
    for try await (status, reason, start, end) in try await client.query(
        """
        SELECT i.status, i.reason, i.started_at, i.ended_at FROM status_interval i JOIN device d ON d.id = i.device_id
        WHERE d.external_id = \(device) ORDER BY i.started_at
        """
    ).decode((String, String?, PostgresTimestamp, PostgresTimestamp?).self) {
        runs.append(StateRun(status: DeviceStatus(rawValue: status) ?? .unknown, reason: reason, start: start.date, end: end?.date))
    }
    return runs
}

/// The stored state of a device.
package func state(of device: String, _ client: DatabaseClient) async throws -> (status: String, reason: String?, since: Date?) {
    for try await (status, reason, since) in try await client.query(
        "SELECT s.status, s.reason, s.since FROM device_state s JOIN device d ON d.id = s.device_id WHERE d.external_id = \(device)"
    ).decode((String, String?, PostgresTimestamp?).self) {
        return (status, reason, since?.date)
    }
    return ("missing", nil, nil)
}
