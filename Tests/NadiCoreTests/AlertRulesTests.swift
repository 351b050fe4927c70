import Foundation
import NadiCore
import Testing

@Suite("Alert rules in NadiCore")
struct AlertRulesTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    static func event(_ id: Int64, _ device: Int64, _ to: DeviceStatus, _ minute: Double) -> OutageLedger.Event {
        OutageLedger.Event(
            id: id, deviceID: device, to: to, at: t0.addingTimeInterval(minute * 60), known: t0.addingTimeInterval(minute * 60 + 5))
    }

    @Test("events become outages: down opens, a second down changes nothing, up closes; a stored open outage is closed by id")
    func ledger() {
        var ledger = OutageLedger(open: [7: (id: 70, started: Self.t0)])
        ledger.apply([
            Self.event(1, 1, .down, 0), Self.event(2, 1, .down, 1), Self.event(3, 2, .degraded, 2), Self.event(4, 1, .up, 3),
            Self.event(5, 1, .down, 10), Self.event(6, 7, .up, 4), Self.event(7, 3, .unknown, 5),
        ])
        #expect(ledger.closed == [70: Self.t0.addingTimeInterval(240)])
        #expect(
            ledger.opened.map {
                "\($0.deviceID):\($0.started.timeIntervalSince(Self.t0) / 60):\($0.ended.map { $0.timeIntervalSince(Self.t0) / 60 } ?? -1)"
            }
                == ["1:0.0:3.0", "1:10.0:-1.0"])
        #expect(ledger.opened.first?.known == Self.t0.addingTimeInterval(5), "known is the opening event's commit")
    }

    @Test("channel requests: durations, kinds, languages and targets are checked with a reason")
    func channelRequest() throws {
        let ok = try NotifyChannelRequest.parse(
            name: "ops-tg", region: "16.71", kinds: "cctv, fiber_link,cctv", minDown: "2m", language: "en", webhook: nil,
            telegramChat: "-1001234567890", telegramAPI: nil, secret: "123:abc"
        ).get()
        #expect(ok.minDownSeconds == 120 && ok.kinds == [.cctv, .fiberLink] && ok.language == .en)
        #expect(ok.target == .telegram(chat: "-1001234567890", api: URL(string: "https://api.telegram.org")!))
        for (minDown, seconds) in [("0", 0), ("90s", 90), ("1h", 3600), ("24h", 86_400)] {
            #expect(DurationText.seconds(minDown) == seconds)
        }
        func refusal(_ minDown: String? = nil, kinds: String? = nil, webhook: String? = "https://x.example/h", chat: String? = nil)
            -> String
        {
            guard
                case .failure(let problem) = NotifyChannelRequest.parse(
                    name: "n", region: nil, kinds: kinds, minDown: minDown, language: nil, webhook: webhook, telegramChat: chat,
                    telegramAPI: nil, secret: "s")
            else { return "accepted" }
            return problem.description
        }
        #expect(refusal("25h").contains("up to 24h"))
        #expect(refusal(kinds: "drone").contains("kind 'drone'"))
        #expect(refusal(webhook: "file:///etc/passwd").contains("http:// or https://"))
        #expect(refusal(webhook: nil).contains("one of them"))
        #expect(refusal(webhook: nil, chat: "me").contains("chat id"))
    }

    @Test("durations are spoken in the channel's language")
    func spoken() {
        #expect(DurationText.spoken(3780, language: .id) == "1 jam 3 menit")
        #expect(DurationText.spoken(3780, language: .en) == "1 h 3 min")
        #expect(DurationText.spoken(45, language: .id) == "45 detik")
        #expect(DurationText.spoken(2 * 86_400 + 4 * 3600 + 60, language: .en) == "2 d 4 h")
    }
}
