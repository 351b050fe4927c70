import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiNotify
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// Escalation of an incident nobody acknowledges (DESIGN.md, "Channels people use, escalation").
/// Time is moved by setting the first message's `created_at` back: the decision reads the
/// database's clock, as every nadid does, so the test need not wait minutes.
@Suite("Escalation", .timeLimit(.minutes(3)))
struct EscalationTests {
    /// Moves the first message of `device`'s incident on `channel` `seconds` into the past.
    static func age(_ client: DatabaseClient, channel: String, seconds: Int) async throws {
        _ = try await client.query(
            """
            UPDATE alert_delivery a SET created_at = a.created_at - make_interval(secs => \(seconds))
            FROM notify_channel c WHERE c.id = a.channel_id AND c.name = \(channel) AND a.kind = 'down' AND a.step = 0
            """)
    }

    static func escalations(_ receiver: AlertReceiver) -> [Int] {
        receiver.requests.compactMap { ($0.json["escalation"] as? [String: Any])?["step"] as? Int }
    }

    @Test(
        "unacknowledged after M minutes: the next channel gets each step once, across a nadid restart and with two nadid; an acknowledgement through the CLI stops it"
    )
    func escalateRestartAcknowledge() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await AlertReceiver.with { ops in
            try await AlertReceiver.with { head in
                try await TestClient.with(url, maximumConnections: 2) { client in
                    let (_, token) = try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                        name: "admin", region: nil, scopes: Set(TokenScope.allCases))
                    let channels = ChannelStore(client: client, logger: TestCluster.quietLogger)
                    _ = try await channels.add(
                        NotifyChannelRequest.parse(
                            name: "kadis", region: nil, kinds: nil, minDown: "0", language: nil, webhook: head.url + "/kadis",
                            telegramChat: nil,
                            telegramAPI: nil, secret: "kadis-secret", escalationOnly: true
                        ).get())
                    _ = try await channels.add(
                        NotifyChannelRequest.parse(
                            name: "ops", region: "16.71", kinds: nil, minDown: "0", language: nil, webhook: ops.url + "/ops",
                            telegramChat: nil,
                            telegramAPI: nil, secret: "ops-secret",
                            escalation: EscalationFields(after: "30", target: "kadis", repeatEvery: "60m", maxRepeats: 2)
                        ).get())
                    let listed = try await channels.list().first { $0.name == "ops" }
                    #expect(listed?.escalation == EscalationPolicy(after: 1800, target: "kadis", repeatEvery: 3600, maxRepeats: 2))

                    // Phase 1, one nadid: the incident is announced on ops only (kadis takes escalations only).
                    let first = try AlertCrashTests.application(url: url, instance: "one")
                    try await first.test(.live) { http in
                        _ = try await http.post(
                            "/v1/inventory", token: token, json: AlertTests.topology(link: "ESC-FO", cameras: 3, prefix: "ESC-CAM"))
                        let devices = ["ESC-FO", "ESC-CAM-0", "ESC-CAM-1", "ESC-CAM-2"]
                        _ = try await http.post(
                            "/v1/pings", token: token, json: AlertTests.pings(devices, at: Date().addingTimeInterval(-300), "up"))
                        _ = try await http.post(
                            "/v1/pings", token: token, json: AlertTests.pings(devices, at: Date().addingTimeInterval(-120), "down"))
                        try await ops.waitFor(1)
                        try await staysTrue("an escalation-only channel does not get the first message", for: .seconds(1)) {
                            head.requests.count
                        } holds: {
                            $0 == 0
                        }
                        // 29 minutes later nothing; 30 minutes later, step 1 to kadis.
                        try await Self.age(client, channel: "ops", seconds: 29 * 60)
                        try await staysTrue("not before --escalate-after", for: .seconds(1.5)) {
                            head.requests.count
                        } holds: {
                            $0 == 0
                        }
                        try await Self.age(client, channel: "ops", seconds: 60)
                        let escalated = try await head.waitFor(1)
                        let step1 = try #require(escalated.first)
                        #expect(step1.path == "/kadis" && AlertReceiver.signatureValid(step1, secret: "kadis-secret"))
                        #expect(step1.json["type"] as? String == "incident.down" && step1.json["channel"] as? String == "kadis")
                        #expect((step1.json["device"] as? [String: Any])?["id"] as? String == "ESC-FO")
                        let escalation = step1.json["escalation"] as? [String: Any]
                        #expect(escalation?["step"] as? Int == 1 && escalation?["from"] as? String == "ops")
                        #expect(escalation?["unacknowledged_s"] as? Int == 1800)
                        let text = step1.json["message"] as? String ?? ""
                        #expect(
                            text.hasPrefix("⏫ Eskalasi ke-1: belum ditanggapi selama 30 menit (dari kanal ops).")
                                && text.contains("mati sejak"), "\(text)")
                    }
                    // While no nadid runs, the first reminder falls due (30 + 60 minutes).
                    try await Self.age(client, channel: "ops", seconds: 60 * 60)
                    // Phase 2, two nadid on the database: the reminder arrives once, step 1 is not sent again.
                    let second = try AlertCrashTests.application(url: url, instance: "two")
                    let third = try AlertCrashTests.application(url: url, instance: "three")
                    try await second.test(.live) { _ in
                        try await third.test(.live) { _ in
                            try await head.waitFor(2)
                            try await staysTrue("two escalation steps and one first message, across three instances", for: .seconds(3)) {
                                (Self.escalations(head), ops.requests.count)
                            } holds: {
                                $0 == ([1, 2], 1)
                            }

                            // Acknowledged through the built CLI: the next reminder never comes.
                            let (status, output) = try await NadiCLI.run(
                                ["incidents", "ack", "ESC-FO", "--note", "tim menuju lokasi"], on: url)
                            #expect(status == 0 && output.contains("acknowledged"), "\(output)")
                            try await Self.age(client, channel: "ops", seconds: 2 * 60 * 60)
                            try await staysTrue("nothing after the acknowledgement", for: .seconds(3)) {
                                Self.escalations(head)
                            } holds: {
                                $0 == [1, 2]
                            }
                            let acks = try await client.query("SELECT acknowledged_by FROM incident_ack").collect().map {
                                try $0.decode(String.self)
                            }
                            #expect(acks.count == 1 && acks.first?.hasPrefix("cli:") == true, "\(acks)")
                        }
                    }
                    let log = try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: nil)
                    #expect(
                        log.reversed().map { "\($0.channel):\($0.kind):\($0.step):\($0.state)" }
                            == ["ops:down:0:delivered", "kadis:down:1:delivered", "kadis:down:2:delivered"])
                }
            }
        }
    }

    @Test("a queued escalation step whose incident is acknowledged before it goes out is cancelled, not sent")
    func queuedStepCancelled() async throws {
        // kadis never answers 2xx, so its step stays queued until the acknowledgement cancels it.
        try await AlertReceiver.with(answer: { _, _ in .status(.serviceUnavailable) }) { head in
            try await AlertReceiver.with { ops in
                try await NadiTestApp.run(configure: AlertTests.fast) { app, http, client in
                    let channels = ChannelStore(client: client, logger: TestCluster.quietLogger)
                    _ = try await channels.add(
                        NotifyChannelRequest.parse(
                            name: "kadis", region: nil, kinds: nil, minDown: "0", language: nil, webhook: head.url, telegramChat: nil,
                            telegramAPI: nil, secret: "k", escalationOnly: true
                        ).get())
                    _ = try await channels.add(
                        NotifyChannelRequest.parse(
                            name: "ops", region: nil, kinds: nil, minDown: "0", language: nil, webhook: ops.url, telegramChat: nil,
                            telegramAPI: nil, secret: "o",
                            escalation: EscalationFields(after: "1m", target: "kadis", repeatEvery: nil, maxRepeats: nil)
                        ).get())
                    _ = try await http.post(
                        "/v1/inventory", token: app.admin, json: AlertTests.topology(link: "CAN-FO", cameras: 0, prefix: "X"))
                    _ = try await http.post(
                        "/v1/pings", token: app.admin, json: AlertTests.pings(["CAN-FO"], at: Date().addingTimeInterval(-30), "down"))
                    try await ops.waitFor(1)
                    try await Self.age(client, channel: "ops", seconds: 61)
                    try await head.waitFor(1)
                    let acknowledged = try await IncidentAckStore(client: client, logger: TestCluster.quietLogger).acknowledgeCurrent(
                        device: "CAN-FO", by: "console:andi", note: "")
                    #expect(acknowledged)
                    let log = try await eventually("the escalation's delivery cancelled", timeout: .seconds(5)) {
                        try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "kadis")
                    } until: {
                        $0.first?.state == "cancelled"
                    }
                    #expect(log.map { "\($0.step):\($0.state):\($0.lastError ?? "")" } == ["1:cancelled:acknowledged first"])
                    let tries = head.requests.count
                    try await staysTrue("no more tries once cancelled", for: .seconds(2)) {
                        head.requests.count
                    } holds: {
                        $0 == tries
                    }
                }
            }
        }
    }
}
