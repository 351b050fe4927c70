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

/// The WhatsApp channel against a local stand-in that speaks the Cloud API's `messages` endpoint as
/// Meta documents it: template bodies in, `{"messages":[{"id":"wamid…"}]}` or a Graph error out.
@Suite("WhatsApp channel", .timeLimit(.minutes(3)))
struct WhatsAppTests {
    static let phoneID = "106540352242922"
    static let token = "EAAG-whatsapp-token-\(UUID().uuidString.prefix(8))"
    static let reachable = "+6281100000001"
    static let notOptedIn = "+6281100000002"

    /// The Cloud API stand-in: the first request is rate limited (429, Retry-After: 1); a recipient
    /// who never opted in gets error 131030; a template not approved gets 132001; the rest are sent.
    static func cloudAPI(_ index: Int, _ request: AlertReceiver.Received) -> AlertReceiver.Answer {
        let body = request.json
        let template = (body["template"] as? [String: Any])?["name"] as? String
        if index == 0 {
            return .headers(
                .tooManyRequests,
                #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"A1"}}"#,
                ["Retry-After": "1"])
        }
        if template == "belum_disetujui" {
            return .status(
                .notFound,
                #"{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp","details":"template name (belum_disetujui) does not exist in id"},"fbtrace_id":"A2"}}"#
            )
        }
        if body["to"] as? String == notOptedIn {
            return .status(
                .badRequest,
                #"{"error":{"message":"(#131030) Recipient phone number not in allowed list","type":"OAuthException","code":131030,"error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."},"fbtrace_id":"A3"}}"#
            )
        }
        return .status(
            .ok,
            #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(body["to"] as? String ?? "")","wa_id":"6281100000001"}],"messages":[{"id":"wamid.HBgL\#(index)"}]}"#
        )
    }

    static func parameters(_ received: AlertReceiver.Received) -> [String] {
        let template = received.json["template"] as? [String: Any]
        let components = template?["components"] as? [[String: Any]]
        return (components?.first?["parameters"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
    }

    static func addChannel(_ client: DatabaseClient, name: String, api: String, incident: String = "nadi_insiden") async throws {
        let request = try NotifyChannelRequest.parse(
            name: name, region: "16.71", kinds: nil, minDown: "0", language: nil, webhook: nil, telegramChat: nil, telegramAPI: nil,
            secret: token,
            whatsapp: WhatsAppFields(
                phoneNumberID: phoneID, recipients: "\(reachable), \(notOptedIn)", incidentTemplate: incident,
                recoveryTemplate: "nadi_pulih",
                api: api)
        ).get()
        _ = try await ChannelStore(client: client, logger: TestCluster.quietLogger).add(request)
    }

    @Test(
        "an incident becomes one approved-template message per recipient: 429 honoured, a recipient not opted in stated and not retried, then one recovery"
    )
    func incidentAndRecovery() async throws {
        try await AlertReceiver.with(answer: Self.cloudAPI) { meta in
            try await NadiTestApp.run(configure: AlertTests.fast) { app, http, client in
                _ = try await http.post(
                    "/v1/inventory", token: app.admin, json: AlertTests.topology(link: "WA-FO", cameras: 2, prefix: "WA-CAM"))
                try await Self.addChannel(client, name: "ops-wa", api: meta.url + "/v21.0")
                let now = Date()
                _ = try await http.post(
                    "/v1/pings", token: app.admin,
                    json: AlertTests.pings(["WA-FO", "WA-CAM-0", "WA-CAM-1"], at: now.addingTimeInterval(-120), "up"))
                _ = try await http.post(
                    "/v1/pings", token: app.admin,
                    json: AlertTests.pings(["WA-FO", "WA-CAM-0", "WA-CAM-1"], at: now.addingTimeInterval(-60), "down"))
                // 429 for the first number, then after Retry-After: the first number, then the one not opted in.
                let down = try await meta.waitFor(3)
                try await staysTrue("three requests and no fourth", for: .seconds(2)) {
                    meta.requests.map { String(decoding: $0.body, as: UTF8.self) }
                } holds: {
                    $0.count == 3
                }
                for request in down {
                    #expect(request.path == "/v21.0/\(Self.phoneID)/messages")
                    #expect(request.headers[.authorization] == "Bearer \(Self.token)")
                    #expect(request.json["messaging_product"] as? String == "whatsapp" && request.json["type"] as? String == "template")
                    let template = request.json["template"] as? [String: Any]
                    #expect(template?["name"] as? String == "nadi_insiden")
                    #expect((template?["language"] as? [String: Any])?["code"] as? String == "id")
                }
                #expect(down.map { $0.json["to"] as? String ?? "" } == [Self.reachable, Self.reachable, Self.notOptedIn])
                #expect(down[1].at - down[0].at >= .milliseconds(950), "Retry-After: 1 honoured (the test retry base is 300 ms)")
                let sent = Self.parameters(down[1])
                #expect(sent.count == 5, "\(sent)")
                #expect(sent.first == "WA-FO Backbone Ilir Barat mati", "\(sent)")
                #expect(sent.dropFirst().first?.hasSuffix("WIB") == true && sent[3] == "2", "\(sent)")
                #expect(sent.allSatisfy { !$0.contains("\n") && !$0.contains("\t") })

                let log = try await eventually("the WhatsApp delivery recorded as delivered", timeout: .seconds(5)) {
                    try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "ops-wa")
                } until: {
                    $0.first?.state == "delivered"
                }
                let entry = try #require(log.first)
                #expect(entry.state == "delivered" && entry.attempts == 2, "\(entry)")
                #expect(entry.lastError?.contains(Self.notOptedIn) == true && entry.lastError?.contains("131030") == true, "\(entry)")
                #expect(entry.lastError?.contains("opted in") == true, "\(entry)")

                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: AlertTests.pings(["WA-FO", "WA-CAM-0", "WA-CAM-1"], at: Date(), "up"))
                let all = try await meta.waitFor(5)
                try await staysTrue("one recovery per recipient, nothing more", for: .seconds(2)) {
                    meta.requests.count
                } holds: {
                    $0 == 5
                }
                let recovery = all.suffix(2)
                #expect(recovery.allSatisfy { ($0.json["template"] as? [String: Any])?["name"] as? String == "nadi_pulih" })
                #expect(Self.parameters(recovery.first ?? all[0]).first == "WA-FO Backbone Ilir Barat")

                // The access token is in no log row, no listing, no export.
                let stored = try await client.query("SELECT coalesce(string_agg(a::text, ' '), '') FROM alert_delivery a").collect()
                    .map { try $0.decode(String.self) }.joined()
                #expect(!stored.contains(Self.token))
                let listing = try JSONEncoder().encode(try await ChannelStore(client: client, logger: TestCluster.quietLogger).list())
                #expect(!String(decoding: listing, as: UTF8.self).contains(Self.token))
                #expect(String(decoding: listing, as: UTF8.self).contains(Self.reachable))
            }
        }
    }

    @Test("a template Meta has not approved is stated in the log and given up after one try, not retried for 24 hours")
    func templateNotApproved() async throws {
        try await AlertReceiver.with(answer: { index, request in Self.cloudAPI(index + 1, request) }) { meta in
            try await NadiTestApp.run(configure: AlertTests.fast) { app, http, client in
                _ = try await http.post(
                    "/v1/inventory", token: app.admin, json: AlertTests.topology(link: "WA-TPL", cameras: 0, prefix: "X"))
                try await Self.addChannel(client, name: "wa-draft", api: meta.url, incident: "belum_disetujui")
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: AlertTests.pings(["WA-TPL"], at: Date().addingTimeInterval(-30), "down"))
                try await meta.waitFor(1)
                try await staysTrue("no retry and no second recipient for a template that cannot be sent", for: .seconds(3)) {
                    meta.requests.count
                } holds: {
                    $0 == 1
                }
                let log = try await DeliveryStore(client: client, logger: TestCluster.quietLogger).log(channel: "wa-draft")
                #expect(log.map { "\($0.kind):\($0.state):\($0.attempts):\($0.lastStatus ?? 0)" } == ["down:failed:1:404"])
                #expect(log.first?.lastError?.contains("template 'belum_disetujui' refused") == true, "\(log)")
                #expect(log.first?.lastError?.contains("132001") == true)
            }
        }
    }

    @Test("nadi notify test sends the incident template through the built binary and logs the answer")
    func notifyTest() async throws {
        try await AlertReceiver.with(answer: { index, request in Self.cloudAPI(index + 1, request) }) { meta in
            let url = try await TestCluster.shared.migratedDatabase()
            try await TestClient.with(url) { client in
                try await Self.addChannel(client, name: "wa-test", api: meta.url)
                let (status, output) = try await NadiCLI.run(["notify", "test", "wa-test"], on: url)
                #expect(status == 0, "\(output)")
                #expect(output.contains("delivered"), "\(output)")
                #expect(!output.contains(Self.token))
                #expect(meta.requests.count == 2, "the reachable number and the one not opted in")
                let first = try #require(meta.requests.first)
                #expect(Self.parameters(first).first == "Pesan uji dari Nadi untuk kanal wa-test")
                let (_, listed) = try await NadiCLI.run(["notify", "list"], on: url)
                #expect(listed.contains("whatsapp") && listed.contains(Self.reachable) && !listed.contains(Self.token), "\(listed)")
            }
        }
    }

    @Test(
        "the console's admin adds a WhatsApp channel that escalates; a recipient not in E.164 is refused with the reason; the token is never shown"
    )
    func consoleAddsWhatsApp() async throws {
        try await NadiTestApp.run { app, http, db in
            try await ConsoleFixtures.seedUsers(db)
            var admin = ConsoleSessionClient()
            _ = try await admin.login(http, name: "admin", password: ConsoleFixtures.password)
            let page = String(buffer: try await admin.get(http, "/admin").body)
            let token = try #require(ConsoleSessionClient.hidden("csrf", in: page))
            let kadis = [
                "csrf": token, "name": "kadis-wa", "type": "whatsapp", "wa_phone_id": Self.phoneID, "wa_to": "+6281100000009",
                "wa_incident": "nadi_insiden", "wa_recovery": "nadi_pulih", "secret": Self.token, "region": "16.71", "lang": "id",
                "escalation_only": "on",
            ]
            #expect(try await admin.post(http, "/admin/channels", form: kadis).headers[.location] == "/admin?saved=channel")
            var ops = kadis
            ops["name"] = "ops-wa"
            ops["escalation_only"] = nil
            ops["escalate_after"] = "30m"
            ops["escalate_to"] = "kadis-wa"
            ops["repeat"] = "1h"
            ops["max_repeats"] = "2"
            #expect(try await admin.post(http, "/admin/channels", form: ops).headers[.location] == "/admin?saved=channel")
            var wrong = ops
            wrong["name"] = "salah"
            wrong["wa_to"] = "081100000009"
            let refused = try await admin.post(http, "/admin/channels", form: wrong)
            let said = String(buffer: refused.body)
            #expect(refused.status == .unprocessableContent)
            #expect(said.contains("Penerima WhatsApp ditulis dalam bentuk E.164"), "\(said.prefix(300))")
            let channels = try await ChannelStore(client: db, logger: TestCluster.quietLogger).list()
            #expect(channels.map(\.name).sorted() == ["kadis-wa", "ops-wa"])
            let opsChannel = try #require(channels.first { $0.name == "ops-wa" })
            #expect(opsChannel.escalation == EscalationPolicy(after: 1800, target: "kadis-wa", repeatEvery: 3600, maxRepeats: 2))
            #expect(opsChannel.recipients == ["+6281100000009"] && channels.first { $0.name == "kadis-wa" }?.escalationOnly == true)
            let listed = String(buffer: try await admin.get(http, "/admin").body)
            #expect(listed.contains("30 menit ke kadis-wa, lalu tiap 1 jam (≤ 2)"), "\(listed.prefix(3000))")
            #expect(!listed.contains(Self.token), "the access token is never shown")
        }
    }
}
