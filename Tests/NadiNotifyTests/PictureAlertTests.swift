import Foundation
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// A camera whose picture goes bad is an incident of its own, told like an outage and with the
/// same `min_down` rule (DESIGN "Camera image health").
@Suite("Picture incidents")
struct PictureAlertTests {
    static func ping(_ device: String, _ at: Date, _ status: String, reason: String? = nil) -> String {
        let reason = reason.map { #","reason":"\#($0)""# } ?? ""
        return #"[{"device":"\#(device)","status":"\#(status)","at":"\#(Timestamp.format(at))"\#(reason)}]"#
    }

    @Test(
        "a frozen picture: one 'gambar beku sejak' message after min_down (not before), the picture's problem in the webhook body, then one recovery; degraded for another reason is no picture incident"
    )
    func frozenPicture() async throws {
        try await AlertReceiver.with { receiver in
            try await NadiTestApp.run(configure: AlertTests.fast) { app, http, client in
                let cameras = """
                    [{"id":"PIC-ALERT-1","kind":"cctv","region":"16.71.01","name":"Gerbang SDN 1","installed":"2024-01-01","interval_s":900,
                      "attributes":{"public":true,"stream_url":"rtsp://10.0.0.9/main"}},
                     {"id":"PIC-ALERT-2","kind":"cctv","region":"16.71.01","name":"Lorong SDN 1","installed":"2024-01-01","interval_s":900,
                      "attributes":{"public":true,"stream_url":"rtsp://10.0.0.10/main"}}]
                    """
                #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: cameras)).accepted == 2)
                try await AlertTests.addWebhook(client, name: "ops", url: receiver.url + "/hook", minDown: 8)
                let now = Date()
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.ping("PIC-ALERT-1", now.addingTimeInterval(-900), "up"))
                _ = try await http.post("/v1/pings", token: app.admin, json: Self.ping("PIC-ALERT-2", now.addingTimeInterval(-900), "up"))
                // Camera 1's picture froze 10 minutes ago (known now: min_down counts from now); camera 2
                // is degraded for another reason.
                let frozeAt = now.addingTimeInterval(-600)
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.ping("PIC-ALERT-1", frozeAt, "degraded", reason: "image_frozen"))
                _ = try await http.post(
                    "/v1/pings", token: app.admin,
                    json: Self.ping("PIC-ALERT-2", now.addingTimeInterval(-30), "degraded", reason: "encoder overheating"))
                let posted = ContinuousClock.now
                let first = try await receiver.waitFor(1)
                // min_down counts from when nadid learned of the frozen picture (at most the posts' time before `posted`).
                #expect(ContinuousClock.now - posted >= .seconds(6), "nothing before min_down")
                try await staysTrue("one message for the frozen picture", for: .seconds(5)) {
                    receiver.requests.map { String(decoding: $0.body, as: UTF8.self) }
                } holds: {
                    $0.count == 1
                }
                let message = try #require(first.first)
                #expect(message.json["type"] as? String == "incident.down")
                #expect(message.json["problem"] as? String == "picture" && message.json["reason"] as? String == "image_frozen")
                #expect((message.json["device"] as? [String: Any])?["id"] as? String == "PIC-ALERT-1")
                #expect(message.json["since"] as? String == Timestamp.format(frozeAt))
                let text = message.json["message"] as? String ?? ""
                #expect(text.contains("PIC-ALERT-1 Gerbang SDN 1: gambar beku sejak") && text.contains("WIB"), "\(text)")
                let outages = try await client.query("SELECT problem, count(*)::int8 FROM alert_outage GROUP BY 1 ORDER BY 1").collect()
                    .map { try $0.decode((String, Int64).self) }
                #expect(outages.map { "\($0.0):\($0.1)" } == ["picture:1"])

                // The picture is good again: one recovery.
                _ = try await http.post(
                    "/v1/pings", token: app.admin, json: Self.ping("PIC-ALERT-1", now.addingTimeInterval(-60), "up"))
                let both = try await receiver.waitFor(2)
                let recovery = both[1]
                #expect(recovery.json["type"] as? String == "incident.recovered" && recovery.json["problem"] as? String == "picture")
                let back = recovery.json["message"] as? String ?? ""
                #expect(back.contains("gambar kembali baik pukul") && back.contains("gambar beku selama 9 menit"), "\(back)")
            }
        }
    }
}
