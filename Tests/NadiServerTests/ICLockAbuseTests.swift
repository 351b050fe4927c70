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

/// `/iclock` takes no credentials: what one anonymous client can do to the counts, the states and
/// the sightings is bounded.
@Suite("ZKTeco PUSH against abuse")
struct ICLockAbuseTests {
    static let serial = "CDQ9192960077"
    static let device =
        #"[{"id":"PLG-ATT-9","kind":"attendance","region":"16.71.01","name":"Kantor Lurah","installed":"2025-01-01","interval_s":30,"attributes":{"serial":"\#(serial)"}}]"#

    static func count(_ client: DatabaseClient, _ sql: PostgresQuery) async throws -> Int64 {
        try await client.query(sql).collect().first?.decode(Int64.self) ?? -1
    }

    @Test("an upload counts at most 5,000 records, each record once however often it is sent, and keeps no PIN")
    func uploadsCountedOnce() async throws {
        try await NadiTestApp.run { app, http, client in
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: Self.device)).accepted == 1)
            let port = try #require(http.port)
            let big = (0..<6_000).map { "\(10_000 + $0)\t2026-11-22 08:\(String(format: "%02d", $0 % 60)):00\t0\t1\t0\t0\t0" }.joined(
                separator: "\n")
            _ = try await ICLockTests.exchange(port, "POST /iclock/cdata?SN=\(Self.serial)&table=ATTLOG", body: big)
            #expect(try await Self.count(client, "SELECT coalesce(sum(records), 0)::int8 FROM attendance_upload") == 5_000)
            try await Task.sleep(for: .milliseconds(1100))
            _ = try await ICLockTests.exchange(port, "POST /iclock/cdata?SN=\(Self.serial)&table=ATTLOG", body: big)
            #expect(
                try await Self.count(client, "SELECT coalesce(sum(records), 0)::int8 FROM attendance_upload") == 5_000,
                "the same records sent again are not counted again")
            let stored =
                try await client.query("SELECT string_agg(encode(hash, 'escape'), '') FROM attendance_record_seen").collect()
                .first?.decode(String?.self) ?? ""
            #expect(!stored.contains("10042"), "no PIN in what is kept")
        }
    }

    @Test(
        "a registered device's requests from a public address (named by a trusted proxy) are answered but keep nothing up; sightings are limited per client; old sightings are pruned"
    )
    func publicAddressesAndSightings() async throws {
        try await NadiTestApp.run(configure: {
            $0.trustedProxies = ["127.0.0.1", "::1"]
            $0.sightingsPerMinute = 20
        }) { app, http, client in
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: Self.device)).accepted == 1)
            let port = try #require(http.port)
            let answer = try await ICLockTests.exchange(port, "GET /iclock/getrequest?SN=\(Self.serial)", forwardedFor: "36.66.12.9")
            #expect(answer.hasSuffix("OK"), "answered, so nothing tells the sender apart")
            #expect(try await Self.count(client, "SELECT count(*)::int8 FROM ping") == 0, "no heartbeat from the internet")
            _ = try await ICLockTests.exchange(port, "GET /iclock/getrequest?SN=\(Self.serial)", forwardedFor: "10.16.0.9")
            #expect(try await Self.count(client, "SELECT count(*)::int8 FROM ping") == 1, "the city's network counts")

            _ = try await client.query(
                """
                INSERT INTO unregistered_sighting (external_id, source, first_seen, last_seen, count)
                VALUES ('OLD-SN', 'iclock', now() - interval '60 days', now() - interval '40 days', 3)
                """)
            for index in 0..<6 {
                _ = try await ICLockTests.exchange(port, "GET /iclock/getrequest?SN=FLOOD\(index)", forwardedFor: "198.51.100.5")
            }
            _ = try await ICLockTests.exchange(port, "GET /iclock/getrequest?SN=OTHER1", forwardedFor: "198.51.100.6")
            let flood = try await Self.count(client, "SELECT count(*)::int8 FROM unregistered_sighting WHERE external_id LIKE 'FLOOD%'")
            #expect(flood == 2, "one client gets a tenth of the minute's 20 sightings")
            #expect(try await Self.count(client, "SELECT count(*)::int8 FROM unregistered_sighting WHERE external_id = 'OTHER1'") == 1)
            #expect(try await Self.count(client, "SELECT count(*)::int8 FROM unregistered_sighting WHERE external_id = 'OLD-SN'") == 0)
        }
    }
}
