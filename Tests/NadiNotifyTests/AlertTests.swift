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

/// Alerts delivered to real local HTTP servers (DESIGN.md, "Alerts that reach people").
@Suite("Alerts")
struct AlertTests {
    static let secret = "webhook-secret-\(UUID().uuidString.prefix(8))"

    /// A fast notifier for tests: rounds every 200 ms, retries from 300 ms.
    static func fast(_ configuration: inout ServerConfiguration) {
        configuration.notify = true
        configuration.notifier.tick = .milliseconds(200)
        configuration.notifier.retryBase = .milliseconds(300)
        configuration.notifier.instance = "test-\(UUID().uuidString.prefix(8))"
    }

    /// A fiber link with `cameras` cameras behind it, all in 16.71.01 with a 15-minute heartbeat.
    static func topology(link: String, cameras: Int, prefix: String, linkName: String = "Backbone Ilir Barat") -> String {
        var records = [
            #"{"id":"\#(link)","kind":"fiber_link","region":"16.71.01","name":"\#(linkName)","installed":"2024-01-01","interval_s":900,"attributes":{"length_km":3,"a_end":"POP A","z_end":"POP B"}}"#
        ]
        for index in 0..<cameras {
            records.append(
                #"{"id":"\#(prefix)-\#(index)","kind":"cctv","region":"16.71.01","name":"Kamera \#(index)","installed":"2024-01-01","interval_s":900,"upstream":"\#(link)","attributes":{"public":false,"stream_url":"rtsp://10.0.0.1/\#(index)"}}"#
            )
        }
        return "[" + records.joined(separator: ",") + "]"
    }

    static func pings(_ devices: [String], at: Date, _ status: String) -> String {
        "[" + devices.map { Fixtures.ping($0, at, status) }.joined(separator: ",") + "]"
    }

    static func addWebhook(_ client: DatabaseClient, name: String, url: String, minDown: Int, region: String? = "16.71") async throws {
        _ = try await ChannelStore(client: client, logger: TestCluster.quietLogger).add(
            NotifyChannelRequest(
                name: name, region: region.flatMap { RegionCode($0) }, kinds: nil, minDownSeconds: minDown,
                target: .webhook(url: try #require(URL(string: url))), secret: secret))
    }

    @Test("a fiber cut with 150 cameras behind it: one signed message naming the root and 150 dependents, then one recovery")
    func fiberCut() async throws {
        try await AlertReceiver.with { receiver in
            try await NadiTestApp.run(configure: Self.fast) { app, http, client in
                let cameras = (0..<150).map { "CUT-CAM-\($0)" }
                let posted = try Outcome(
                    try await http.post(
                        "/v1/inventory", token: app.admin, json: Self.topology(link: "PLG-FO-3", cameras: 150, prefix: "CUT-CAM")))
                #expect(posted.accepted == 151)
                try await Self.addWebhook(client, name: "ops", url: receiver.url + "/hook", minDown: 2)
                let now = Date()
                let cut = now.addingTimeInterval(-600)
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.pings(["PLG-FO-3"] + cameras, at: now.addingTimeInterval(-1200), "up"))
                // The link and every camera behind it go down in the same batch.
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.pings(["PLG-FO-3"] + cameras, at: cut, "down"))

                // The outbox holds one event per device, with its cause at that moment.
                let causes = try await client.query(
                    """
                    SELECT e.cause, r.external_id, count(*)::int8 FROM alert_event e LEFT JOIN device r ON r.id = e.root_id
                    WHERE e.to_status = 'down' GROUP BY 1, 2 ORDER BY 1
                    """
                ).collect().map { try $0.decode((String?, String?, Int64).self) }
                #expect(causes.map { "\($0.0 ?? "-"):\($0.1 ?? "-"):\($0.2)" } == ["own:PLG-FO-3:1", "upstream:PLG-FO-3:150"])

                let first = try await receiver.waitFor(1)
                try await staysTrue("nothing follows the incident's one message", for: .seconds(2)) {
                    receiver.requests.count
                } holds: {
                    $0 == 1
                }
                let message = try #require(first.first)
                #expect(AlertReceiver.signatureValid(message, secret: Self.secret), "Nadi-Signature is the HMAC-SHA256 of the body")
                #expect(message.path == "/hook")
                #expect(message.json["type"] as? String == "incident.down")
                #expect((message.json["device"] as? [String: Any])?["id"] as? String == "PLG-FO-3")
                #expect(message.json["dependents_down"] as? Int == 150)
                #expect(message.json["since"] as? String == Timestamp.format(cut))
                let text = message.json["message"] as? String ?? ""
                #expect(
                    text.contains("PLG-FO-3 Backbone Ilir Barat mati sejak") && text.contains("WIB") && text.contains("150 perangkat"),
                    "\(text)")
                #expect(message.eventID?.count == 36)

                // Everything back: one recovery with the duration.
                let back = now.addingTimeInterval(-60)
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.pings(["PLG-FO-3"] + cameras, at: back, "up"))
                let both = try await receiver.waitFor(2)
                try await staysTrue("nothing follows the recovery", for: .seconds(2)) {
                    receiver.requests.count
                } holds: {
                    $0 == 2
                }
                let recovery = try #require(both.dropFirst().first)
                #expect(recovery.json["type"] as? String == "incident.recovered")
                #expect(recovery.json["duration_s"] as? Int == 540)
                #expect(recovery.json["dependents_down"] as? Int == 150)
                #expect(recovery.eventID != message.eventID)
                #expect(AlertReceiver.signatureValid(recovery, secret: Self.secret))
            }
        }
    }

    @Test(
        "a flap shorter than min_down (1 s of 15 s, as 2 minutes of 5) and a device down in maintenance send nothing; a device down past min_down does"
    )
    func flapAndMaintenance() async throws {
        try await AlertReceiver.with { receiver in
            try await NadiTestApp.run(configure: Self.fast) { app, http, client in
                let devices = ["FLAP", "MAINT", "CONTROL"].map {
                    #"{"id":"\#($0)","kind":"videotron","region":"16.71.02","name":"Videotron \#($0)","installed":"2024-01-01","interval_s":900,"attributes":{"size_m2":20}}"#
                }
                _ = try await http.post("/v1/inventory", token: app.admin, json: "[" + devices.joined(separator: ",") + "]")
                let local = DateFormatter()
                local.locale = Locale(identifier: "en_US_POSIX")
                local.timeZone = TimeZone(identifier: "Asia/Jakarta")
                local.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
                let now = Date()
                let window =
                    #"{"device":"MAINT","from":"\#(local.string(from: now.addingTimeInterval(-1800)))","to":"\#(local.string(from: now.addingTimeInterval(1800)))","reason":"Ganti modul LED"}"#
                #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)
                try await Self.addWebhook(client, name: "ops", url: receiver.url, minDown: 15)
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.pings(["FLAP", "MAINT", "CONTROL"], at: now.addingTimeInterval(-60), "up"))
                // In real time: all three go down now; FLAP is back a second later, as a device sends it.
                let down = Date()
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.pings(["FLAP", "MAINT", "CONTROL"], at: down, "down"))
                try await Task.sleep(for: .seconds(1))
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.pings(["FLAP"], at: Date(), "up"))
                let received = try await receiver.waitFor(1, timeout: .seconds(40))
                try await staysTrue("only CONTROL is announced", for: .seconds(3)) {
                    receiver.requests.map { String(decoding: $0.body, as: UTF8.self) }
                } holds: {
                    $0.count == 1
                }
                #expect((received.first?.json["device"] as? [String: Any])?["id"] as? String == "CONTROL")
                #expect(Date().timeIntervalSince(down) >= 15, "CONTROL was announced only after min_down")
                let outages = try await client.query(
                    "SELECT d.external_id, o.ended_at IS NULL FROM alert_outage o JOIN device d ON d.id = o.device_id ORDER BY 1"
                ).collect().map { try $0.decode((String, Bool).self) }
                #expect(outages.map { "\($0.0):\($0.1 ? "open" : "closed")" } == ["CONTROL:open", "FLAP:closed", "MAINT:open"])
            }
        }
    }

    @Test("a receiver answering 500 three times, then 200, gets the message four times with one Nadi-Event-Id and the same bytes")
    func retries() async throws {
        try await AlertReceiver.with(answer: { index, _ in index < 3 ? .status(.internalServerError, "busy") : .status(.ok) }) { receiver in
            try await NadiTestApp.run(configure: Self.fast) { app, http, client in
                _ = try await http.post("/v1/inventory", token: app.admin, json: Self.topology(link: "RETRY-FO", cameras: 0, prefix: "X"))
                try await Self.addWebhook(client, name: "flaky", url: receiver.url, minDown: 0)
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.pings(["RETRY-FO"], at: Date().addingTimeInterval(-30), "down"))
                let received = try await receiver.waitFor(4)
                try await staysTrue("no fifth try after the delivery", for: .seconds(3)) {
                    receiver.requests.count
                } holds: {
                    $0 == 4
                }
                #expect(Set(received.compactMap(\.eventID)).count == 1, "the same Nadi-Event-Id on every try")
                #expect(Set(received.map(\.body)).count == 1, "the same body on every try")
                let gaps = zip(received, received.dropFirst()).map { $1.at - $0.at }
                #expect(gaps.allSatisfy { $0 >= .milliseconds(140) }, "backoff between tries: \(gaps)")
                let log = try await eventually("the flaky channel's delivery recorded as delivered") {
                    try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "flaky")
                } until: {
                    $0.first?.state == "delivered"
                }
                #expect(log.map { "\($0.state):\($0.attempts):\($0.lastStatus ?? 0)" } == ["delivered:4:200"])
            }
        }
    }

    @Test("a webhook answering 410 Gone disables its channel after one try; notify list says why")
    func gone() async throws {
        try await AlertReceiver.with(answer: { _, _ in .status(.gone, "no such hook") }) { receiver in
            try await NadiTestApp.run(configure: Self.fast) { app, http, client in
                _ = try await http.post("/v1/inventory", token: app.admin, json: Self.topology(link: "GONE-FO", cameras: 0, prefix: "X"))
                try await Self.addWebhook(client, name: "old-hook", url: receiver.url, minDown: 0)
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.pings(["GONE-FO"], at: Date().addingTimeInterval(-30), "down"))
                try await receiver.waitFor(1)
                let channels = ChannelStore(client: client, logger: TestCluster.quietLogger)
                let channel = try await eventually("the channel disabled after 410 Gone") {
                    try await channels.list().first
                } until: {
                    $0?.disabledAt != nil
                }
                #expect(channel?.disabledReason == "the receiver answered 410 Gone")
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.pings(["GONE-FO"], at: Date(), "up"))
                try await staysTrue("nothing more is sent to a disabled channel", for: .seconds(2)) {
                    receiver.requests.count
                } holds: {
                    $0 == 1
                }
                let log = try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "old-hook")
                #expect(log.map { "\($0.kind):\($0.state):\($0.lastStatus ?? 0)" } == ["down:failed:410"])
            }
        }
    }

    @Test("a channel whose receiver never answers does not delay a healthy channel")
    func deadChannel() async throws {
        try await AlertReceiver.with(answer: { _, _ in .hang }) { dead in
            try await AlertReceiver.with { healthy in
                try await NadiTestApp.run(configure: {
                    Self.fast(&$0)
                    $0.notifier.requestTimeout = .seconds(60)
                }) { app, http, client in
                    _ = try await http.post(
                        "/v1/inventory", token: app.admin, json: Self.topology(link: "DEAD-FO", cameras: 0, prefix: "X"))
                    try await Self.addWebhook(client, name: "a-dead", url: dead.url, minDown: 0)
                    try await Self.addWebhook(client, name: "b-healthy", url: healthy.url, minDown: 0)
                    _ = try await http.post(
                        "/v1/pings", token: app.admin, json: Self.pings(["DEAD-FO"], at: Date().addingTimeInterval(-30), "down"))
                    let started = ContinuousClock.now
                    try await dead.waitFor(1)
                    try await healthy.waitFor(1, timeout: .seconds(10))
                    #expect(healthy.requests.count == 1, "the healthy channel got its message while the dead one hangs")
                    #expect(ContinuousClock.now - started < .seconds(10))
                    #expect(dead.requests.count == 1)
                }
            }
        }
    }

    @Test("Telegram: sendMessage with the exact JSON (HTML escaped, Indonesian), 429 retry_after honoured")
    func telegram() async throws {
        let token = "123456:ABC-test-token-\(UUID().uuidString.prefix(6))"
        try await AlertReceiver.with(answer: { index, _ in
            index == 0
                ? .status(
                    .tooManyRequests,
                    #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#)
                : .status(.ok, #"{"ok":true,"result":{"message_id":7}}"#)
        }) { bot in
            try await NadiTestApp.run(configure: Self.fast) { app, http, client in
                _ = try await http.post(
                    "/v1/inventory", token: app.admin,
                    json: Self.topology(link: "TG-FO", cameras: 2, prefix: "TG-CAM", linkName: "Link <Ilir> & Barat"))
                _ = try await ChannelStore(client: client, logger: TestCluster.quietLogger).add(
                    NotifyChannelRequest(
                        name: "ops-tg", region: RegionCode("16.71"), kinds: nil, minDownSeconds: 2,
                        target: .telegram(chat: "-1001234567890", api: try #require(URL(string: bot.url))), secret: token))
                let cut = Date().addingTimeInterval(-120)
                _ = try await http.post(
                    "/v1/pings", token: app.admin,
                    json: Self.pings(["TG-FO", "TG-CAM-0", "TG-CAM-1"], at: cut.addingTimeInterval(-60), "up"))
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.pings(["TG-FO", "TG-CAM-0", "TG-CAM-1"], at: cut, "down"))
                let received = try await bot.waitFor(2)
                try #require(received.count == 2)
                #expect(received.allSatisfy { $0.path == "/bot\(token)/sendMessage" })
                #expect(received[1].at - received[0].at >= .milliseconds(950), "retry_after 1 s was honoured")
                let json = received[1].json
                #expect(json["chat_id"] as? String == "-1001234567890")
                #expect(json["parse_mode"] as? String == "HTML")
                #expect(json["disable_web_page_preview"] as? Bool == true)
                let text = json["text"] as? String ?? ""
                #expect(text.hasPrefix("🔴 <b>TG-FO Link &lt;Ilir&gt; &amp; Barat</b> mati sejak "), "\(text)")
                #expect(text.contains("— 2 perangkat di belakangnya tidak terjangkau."), "\(text)")
                #expect(received[1].headers[.contentType] == "application/json")
                let log = try await eventually("the Telegram delivery recorded as delivered") {
                    try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "ops-tg")
                } until: {
                    $0.first?.state == "delivered"
                }
                #expect(log.first?.state == "delivered")
                #expect(log.first?.attempts == 2)
                let lastErrors = log.compactMap(\.lastError).joined()
                #expect(lastErrors.range(of: token) == nil, "no bot token in the delivery log")
            }
        }
    }
}
