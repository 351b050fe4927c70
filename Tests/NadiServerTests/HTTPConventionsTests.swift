import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// HTTP conventions a careless client runs into (issue 12, low): methods, HEAD and OPTIONS, 413 and
/// 404 with the JSON error shape, charsets, percent-encoded ids, a hang-up mid-body.
@Suite("HTTP conventions")
struct HTTPConventionsTests {
    struct ErrorShape: Decodable { var error: String }

    @Test("HEAD on a GET route answers like GET without a body; OPTIONS says Allow; a wrong method is 405 with Allow; unknown is 404 JSON")
    func methods() async throws {
        try await NadiTestApp.run { _, http, _ in
            let head = try await http.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            let options = try await http.execute(uri: "/v1/pings", method: .options)
            #expect(options.status == .noContent)
            #expect(options.headers[.allow] == "POST, OPTIONS")
            let wrong = try await http.execute(uri: "/v1/pings", method: .get)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "POST, OPTIONS")
            #expect(try JSONDecoder().decode(ErrorShape.self, from: Data(wrong.body.readableBytesView)).error.contains("use POST"))
            let deviceWrong = try await http.execute(uri: "/v1/devices/X-1", method: .delete)
            #expect(deviceWrong.status == .methodNotAllowed)
            #expect(deviceWrong.headers[.allow]?.contains("GET") == true)
            let unknown = try await http.execute(uri: "/v1/nothing", method: .get)
            #expect(unknown.status == .notFound)
            #expect((try? JSONDecoder().decode(ErrorShape.self, from: Data(unknown.body.readableBytesView))) != nil)
        }
    }

    @Test("413 carries the JSON error shape; charset=utf-16 is refused with 415; a percent-encoded id is decoded")
    func bodiesAndPaths() async throws {
        try await NadiTestApp.run(configure: { $0.maxBodyBytes = 2048 }) { app, http, _ in
            let big = "[" + String(repeating: #"{"device":"PLG-CCTV-1","status":"up"},"#, count: 100) + "{}]"
            let tooLarge = try await http.post("/v1/pings", token: app.palembang, json: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(
                (try? JSONDecoder().decode(ErrorShape.self, from: Data(tooLarge.body.readableBytesView))) != nil,
                "\(String(buffer: tooLarge.body))")
            let utf16 = try await http.post(
                "/v1/pings", token: app.palembang, json: #"[{"device":"PLG-CCTV-1","status":"up"}]"#,
                contentType: "application/json; charset=utf-16")
            #expect(utf16.status == .unsupportedMediaType)
            let inventory =
                #"[{"id":"PLG:CAM-1","kind":"videotron","region":"16.71.01","name":"Colon","installed":"2024-01-01","attributes":{"size_m2":1}}]"#
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.palembang, json: inventory)).accepted == 1)
            let encoded = try await http.get("/v1/devices/PLG%3ACAM-1", token: app.palembang)
            #expect(encoded.status == .ok, "\(String(buffer: encoded.body))")
        }
    }

    @Test("a client hanging up mid-body is not counted as a server error")
    func hangUpIsNotA500() async throws {
        try await NadiTestApp.run { app, http, _ in
            // The test client cannot hang up; a raw socket can.
            let port = try #require(http.port)
            for _ in 0..<3 {
                try await RawTCPConnection.with(port: port) { connection in
                    try await connection.send(
                        "POST /v1/pings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(app.palembang)\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n[{\"device\":"
                    )
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let metrics = String(buffer: try await http.get("/metrics", token: nil).body)
            let fiveHundreds = metrics.split(separator: "\n").filter { $0.contains("status=\"500\"") && !$0.hasPrefix("#") }
            #expect(fiveHundreds.isEmpty, "\(fiveHundreds)")
        }
    }
}
