import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("ZKTeco PUSH (/iclock)")
struct ICLockTests {
    static let serial = "CDQ9192960002"

    /// One request as a ZKTeco device sends it (headers as in the PUSH protocol's published captures),
    /// over its own connection; returns the whole raw answer.
    static func exchange(_ port: Int, _ requestLine: String, body: String? = nil, forwardedFor: String? = nil) async throws -> String {
        var request =
            "\(requestLine) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: iClock Proxy/1.09\r\nConnection: close\r\nAccept: */*\r\n"
        if let forwardedFor { request += "X-Forwarded-For: \(forwardedFor)\r\n" }
        if let body { request += "Content-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        return try await RawTCPConnection.with(port: port) { connection in
            try await connection.send(request)
            return await connection.readUntilClosed(timeout: .seconds(10)).text
        }
    }

    @Test(
        "a replayed device session: handshake with our Delay, polls as heartbeats, ATTLOG counted and acknowledged, no attendance content stored"
    )
    func session() async throws {
        try await NadiTestApp.run { app, http, client in
            let device =
                #"[{"id":"PLG-ATT-1","kind":"attendance","region":"16.71.01","name":"Kantor Camat","installed":"2025-01-01","interval_s":30,"attributes":{"serial":"\#(Self.serial)"}}]"#
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: device)).accepted == 1)
            let port = try #require(http.port)

            let handshake = try await Self.exchange(port, "GET /iclock/cdata?SN=\(Self.serial)&options=all&pushver=2.4.1&language=69")
            #expect(handshake.hasPrefix("HTTP/1.1 200"))
            #expect(handshake.contains("GET OPTION FROM: \(Self.serial)\r\n"))
            #expect(handshake.contains("Delay=30\r\n"), "the poll interval is the device's interval_s")
            #expect(handshake.contains("TimeZone=7\r\n"))
            #expect(handshake.contains("Realtime=1\r\n"))

            try await Task.sleep(for: .milliseconds(1100))
            let poll = try await Self.exchange(port, "GET /iclock/getrequest?SN=\(Self.serial)")
            #expect(poll.hasPrefix("HTTP/1.1 200") && poll.hasSuffix("\r\n\r\nOK"), "\(poll)")

            try await Task.sleep(for: .milliseconds(1100))
            let attlog =
                "90017331\t2026-11-22 08:01:12\t0\t1\t0\t0\t0\n90017332\t2026-11-22 08:03:40\t0\t1\t0\t0\t0\n7654321\t2026-11-22 08:05:02\t1\t15\t0\t0\t0\n"
                // Lines that are not attendance records (issue 12): not counted.
                + "garbage\n\t\t\nOPLOG 4\t0\n1003\tyesterday\t0\n"
            let uploadSent = ContinuousClock.now
            let upload = try await Self.exchange(port, "POST /iclock/cdata?SN=\(Self.serial)&table=ATTLOG&Stamp=9999", body: attlog)
            #expect(upload.hasPrefix("HTTP/1.1 200") && upload.hasSuffix("OK"), "\(upload)")
            let command = try await Self.exchange(port, "POST /iclock/devicecmd?SN=\(Self.serial)", body: "ID=1&Return=0&CMD=INFO\n")
            #expect(command.hasSuffix("OK"))
            // The server saw the upload and the devicecmd at most this far apart: under a second, the
            // devicecmd must not be a heartbeat of its own; on a loaded machine it may be one.
            let commandGap = ContinuousClock.now - uploadSent

            let pings = try await client.query(
                "SELECT count(*)::int8 FROM ping p JOIN device d ON d.id = p.device_id WHERE d.external_id = 'PLG-ATT-1'"
            ).collect().first?.decode(Int64.self)
            if commandGap < .seconds(1) {
                #expect(pings == 3, "handshake, poll and upload were heartbeats (the devicecmd within the same second was not)")
            } else {
                #expect(pings == 3 || pings == 4, "handshake, poll, upload (and the devicecmd \(commandGap) later) were heartbeats")
            }
            #expect(try await state(of: "PLG-ATT-1", client).status == "up")
            let counted = try await client.query("SELECT records FROM attendance_upload").collect().first?.decode(Int64.self)
            #expect(counted == 3, "three attendance records counted")
            let everything =
                try await client.query(
                    """
                    SELECT coalesce(string_agg(t::text, ' '), '') FROM (
                        SELECT p::text AS t FROM ping p UNION ALL SELECT s::text FROM device_state s UNION ALL SELECT i::text FROM status_interval i
                        UNION ALL SELECT a::text FROM attendance_upload a UNION ALL SELECT u::text FROM unregistered_sighting u) rows
                    """
                ).collect().first?.decode(String.self) ?? ""
            for secret in ["7654321", "08:01:12", "08:05:02", "90017331", "90017332"] {
                #expect(!everything.contains(secret), "attendance content '\(secret)' was stored")
            }
        }
    }

    @Test("an unknown SN is answered so the device keeps trying, recorded as a sighting, and creates no device")
    func unknownSerial() async throws {
        try await NadiTestApp.run { _, http, client in
            let port = try #require(http.port)
            let handshake = try await Self.exchange(port, "GET /iclock/cdata?SN=UNKNOWN123&options=all&pushver=2.4.1")
            #expect(handshake.contains("GET OPTION FROM: UNKNOWN123"))
            let sighting = try await client.query("SELECT source, count FROM unregistered_sighting WHERE external_id = 'UNKNOWN123'")
                .collect().first?.decode((String, Int64).self)
            #expect(sighting?.0 == "iclock")
            let devices = try await client.query("SELECT count(*)::int8 FROM device").collect().first?.decode(Int64.self)
            #expect(devices == 0)
        }
    }

    @Test(
        "malformed /iclock requests get a plain-text 4xx and nadid keeps serving",
        arguments: [
            "GET /iclock/cdata", "GET /iclock/getrequest?SN=", "GET /iclock/getrequest?SN=%27%3B%20DROP%20TABLE%20device%3B--",
            "GET /iclock/cdata?SN=\(String(repeating: "A", count: 65))",
        ])
    func malformed(line: String) async throws {
        try await NadiTestApp.run { _, http, _ in
            let port = try #require(http.port)
            let answer = try await Self.exchange(port, line)
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(120))")
            #expect(answer.contains("text/plain"))
            #expect(try await http.get("/healthz", token: nil).status == .ok)
        }
    }
}
