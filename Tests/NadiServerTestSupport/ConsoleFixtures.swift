import Foundation
package import HTTPTypes
import Hummingbird
package import HummingbirdTesting
import NadiCore
import NadiServer
package import NadiStore
import NadiTestSupport
import PostgresNIO
package import Testing

/// A small city for the console tests: Fixtures' three devices plus a school in 16.71.01 with a
/// public camera, a private one and a public one whose stream is on the city's LAN, a school in
/// 16.01 and an hour of pings; users of 16.71 (viewer, operator) and of all Indonesia (admin).
package enum ConsoleFixtures {
    package static let password = "kata-sandi-rahasia-1"
    package static let publicStream = "rtsp://stream.palembang.go.id/live/sman1"
    package static let privateStream = "rtsp://10.9.9.9/ruang-guru"
    package static let lanStream = "rtsp://192.168.5.5/lan-only"

    package static func seed(_ http: some TestClientProtocol, _ app: NadiTestApp, _ db: DatabaseClient) async throws {
        try await Fixtures.seed(http, app)
        let sites = """
            [{"code":"10603845","kind":"school","name":"SMA NEGERI 1 PALEMBANG","region":"16.71.01","lat":-2.98,"lon":104.75,"attributes":{"level":"SMA"}},
             {"code":"16010001","kind":"school","name":"SD NEGERI 1 BATURAJA","region":"16.01.07","lat":-4.13,"lon":104.17,"attributes":{"level":"SD"}}]
            """
        let stored = try await http.post("/v1/sites", token: app.admin, json: sites)
        precondition(stored.status == .ok, "console fixtures sites: \(String(buffer: stored.body))")
        let devices = """
            [{"id":"PLG-CCTV-PUB","kind":"cctv","region":"16.71.01","site":"10603845","name":"Gerbang SMAN 1","installed":"2023-03-01","upstream":"PLG-FO-1",
              "attributes":{"public":true,"stream_url":"rtsp://viewer:hunter2@10.16.0.1/live/sman1","public_url":"\(publicStream)"}},
             {"id":"PLG-CCTV-PRIV","kind":"cctv","region":"16.71.01","site":"10603845","name":"Ruang guru SMAN 1","installed":"2023-03-01",
              "attributes":{"public":false,"stream_url":"\(privateStream)"}},
             {"id":"PLG-CCTV-LAN","kind":"cctv","region":"16.71.01","site":"10603845","name":"Lapangan SMAN 1","installed":"2024-09-01",
              "attributes":{"public":true,"stream_url":"\(lanStream)"}},
             {"id":"OKU-CCTV-1","kind":"cctv","region":"16.01.07","site":"16010001","name":"CCTV SD 1 Baturaja","installed":"2024-02-01",
              "attributes":{"public":true,"stream_url":"rtsp://cctv.okukab.go.id/sd1"}}]
            """
        let outcome = try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices))
        precondition(outcome.accepted == 4, "console fixtures: \(outcome)")
        let now = Date()
        var pings: [String] = []
        for minute in stride(from: 60, through: 1, by: -1) {
            let at = now.addingTimeInterval(-Double(minute) * 60)
            for device in ["PLG-CCTV-1", "PLG-FO-1", "OKU-VT-1", "PLG-CCTV-PUB", "PLG-CCTV-PRIV", "OKU-CCTV-1"] {
                pings.append(Fixtures.ping(device, at))
            }
            pings.append(Fixtures.ping("PLG-CCTV-LAN", at, minute > 30 ? "up" : "down"))
        }
        let sent = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[" + pings.joined(separator: ",") + "]"))
        precondition(sent.accepted == pings.count, "console fixtures pings: \(sent)")
        try await waitForState("PLG-CCTV-LAN", "down", db)
        try await seedUsers(db)
    }

    /// The console users of the fixtures: viewer-plg, ops-plg (16.71) and admin (all of Indonesia).
    package static func seedUsers(_ db: DatabaseClient) async throws {
        let users = ConsoleUserStore(client: db, logger: TestCluster.quietLogger, cost: 4)
        _ = try await users.create(name: "viewer-plg", region: RegionCode("16.71"), role: .viewer, password: password)
        _ = try await users.create(name: "ops-plg", region: RegionCode("16.71"), role: .operator, password: password)
        _ = try await users.create(name: "admin", region: nil, role: .admin, password: password)
    }

    /// Waits until the writer stored `status` for `device`.
    package static func waitForState(
        _ device: String, _ status: String, _ db: DatabaseClient, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await eventually("\(device) reaches \(status)", sourceLocation: sourceLocation) {
            try await state(of: device, db)
        } until: {
            $0.status == status
        }
    }
}

/// A browser's cookie jar over the test client: logs in through the form and sends the cookies.
package struct ConsoleSessionClient {
    package var cookies: [String: String] = [:]

    package init() {}

    package var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    package mutating func absorb(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            guard let pair = value.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let content = String(pair[pair.index(after: equals)...])
            if content.isEmpty || value.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = content }
        }
    }

    package mutating func get(_ http: some TestClientProtocol, _ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse
    {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await http.execute(uri: uri, method: .get, headers: headers)
        absorb(response)
        return response
    }

    package mutating func post(_ http: some TestClientProtocol, _ uri: String, form: [String: String]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let body = form.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
        }.joined(separator: "&")
        let response = try await http.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        absorb(response)
        return response
    }

    /// Logs in through the login form; returns the answer to the POST.
    package mutating func login(_ http: some TestClientProtocol, name: String, password: String) async throws -> TestResponse {
        let page = try await get(http, "/login")
        let token = try #require(Self.hidden("login_csrf", in: String(buffer: page.body)))
        return try await post(http, "/login", form: ["login_csrf": token, "name": name, "password": password, "next": "/"])
    }

    /// The value of the hidden input `name` in `html`.
    package static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
