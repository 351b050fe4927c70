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

@Suite("Picture outages in the ledger")
struct PictureLedgerTests {
    @Test("a bad picture opens a picture outage; down ends it and opens an outage; up ends that; a stored picture outage is closed by id")
    func pictureOutages() {
        let t0 = AlertRulesTests.t0
        func event(_ id: Int64, _ device: Int64, _ to: DeviceStatus, _ reason: String?, _ minute: Double) -> OutageLedger.Event {
            OutageLedger.Event(id: id, deviceID: device, to: to, reason: reason, at: t0.addingTimeInterval(minute * 60), known: t0)
        }
        var ledger = OutageLedger(open: [OutageLedger.Key(9, .picture): (id: 90, started: t0)])
        ledger.apply([
            event(1, 1, .degraded, "image_frozen", 0), event(2, 1, .down, "no frame: connection refused", 5), event(3, 1, .up, nil, 8),
            event(4, 2, .degraded, "if_in_errors rising (+3)", 1), event(5, 9, .up, nil, 2),
        ])
        #expect(ledger.closed == [90: t0.addingTimeInterval(120)])
        #expect(
            ledger.opened.map {
                "\($0.deviceID):\($0.problem.rawValue):\($0.started.timeIntervalSince(t0) / 60):\(($0.ended?.timeIntervalSince(t0) ?? -60) / 60)"
            }
                == ["1:picture:0.0:5.0", "1:down:5.0:8.0"], "a degraded state for another reason is no picture outage")
    }

    @Test("FFmpeg's log becomes the picture's numbers; the verdict follows the thresholds in order black, frozen, blurred, fps")
    func ffmpegLog() throws {
        let log = """
            [blackdetect @ 0x1] black_min_duration:0 pixel_black_th:0.100000
            [freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 1.2
            frame=   60 fps= 23 q=-0.0 size=N/A time=00:00:02.50 bitrate=N/A speed=1x\rframe=   76 fps= 15 q=-0.0 Lsize=N/A time=00:00:05.00 bitrate=N/A
              Input stream #0:0 (video): 76 packets read (171502 bytes); 76 frames decoded;
            [Parsed_blurdetect_2 @ 0x3] blur mean: 5.4660268
            """
        let sample = try FFmpegSampleLog.read(log, requestedSeconds: 5).get()
        #expect(sample.frames == 76 && sample.bytes == 171_502 && sample.seconds == 5 && sample.frozenSeconds == 3.8)
        #expect(abs(sample.fps - 15.2) < 0.001 && abs(sample.bitrateKbps - 274.4) < 0.1 && sample.blur == 5.4660268)
        var settings = ImageCheckSettings()
        #expect(ImageVerdict(sample, settings: settings).status == .up, "3.8 of 5 s still is under 80 %")
        settings.frozenPercent = 70
        #expect(ImageVerdict(sample, settings: settings).reason == "image_frozen")
        settings.maxBlur = 5
        #expect(ImageVerdict(sample, settings: settings).reason == "image_frozen", "frozen is named before blurred")
        settings.frozenPercent = 80
        #expect(ImageVerdict(sample, settings: settings).reason == "image_blurred")
        settings.maxBlur = 10
        settings.minFPS = 20
        #expect(ImageVerdict(sample, settings: settings).reason == "fps_low")
        let black =
            "[blackdetect @ 0x1] black_start:0 black_end:5 black_duration:5\n  Input stream #0:0 (video): 75 packets read (100 bytes); 75 frames decoded;\n[Parsed_blurdetect_2 @ 0x3] blur mean: -nan"
        let blackSample = try FFmpegSampleLog.read(black, requestedSeconds: 5).get()
        #expect(blackSample.blur == nil && ImageVerdict(blackSample, settings: ImageCheckSettings()).reason == "image_black")
        for (text, reason) in [
            ("[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized", NoFrameReason.unauthorized),
            ("rtsp://h/x: Connection refused", .refused), ("[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found", .notFound),
            ("Stream map '0:v:0' matches no streams.", .noVideo), ("something else", .undecodable),
        ] {
            #expect(FFmpegSampleLog.read(text, requestedSeconds: 5) == .failure(NoFrameError(reason: reason)), "\(text)")
        }
    }

    @Test("image_check settings: defaults, overrides, false, and clear refusals")
    func settings() {
        let camera: JSONValue = .object(["stream_url": .string("rtsp://10.1.2.3/main")])
        #expect(ImageCheckSettings(kind: .cctv, attributes: camera)?.everySeconds == 300)
        #expect(ImageCheckSettings(kind: .videotron, attributes: camera) == nil)
        #expect(ImageCheckSettings(kind: .cctv, attributes: .object(["stream_url": .string("file:///dev/video0")])) == nil)
        #expect(
            ImageCheckSettings(
                kind: .cctv, attributes: .object(["stream_url": .string("https://cam/x.m3u8"), "image_check": .bool(false)])) == nil)
        let custom = ImageCheckSettings(
            kind: .cctv,
            attributes: .object([
                "stream_url": .string("rtsp://c/x"), "image_check": .object(["every_s": .number(120), "max_blur": .number(7)]),
            ]))
        #expect(custom?.everySeconds == 120 && custom?.maxBlur == 7 && custom?.sampleSeconds == 5)
        #expect(ImageCheckSettings.problem(.object(["every_s": .number(30)]))?.contains("every_s must be an integer 60–86400") == true)
        #expect(ImageCheckSettings.problem(.object(["colour": .number(1)]))?.contains("is not a setting") == true)
        #expect(ImageCheckSettings.problem(.object(["every_s": .number(60), "sample_s": .number(30)]))?.contains("quarter") == true)
        #expect(PictureHealth(checked: true, status: .degraded, reason: "image_frozen") == .frozen)
        #expect(PictureHealth(checked: true, status: .up, reason: nil) == .good)
        #expect(PictureHealth(checked: false, status: .up, reason: nil) == .unchecked)
        #expect(PictureHealth(checked: true, status: .down, reason: "silent") == .noPicture)
    }
}

@Suite("Escalation policy")
struct EscalationPolicyTests {
    @Test("steps: the escalation at M, reminders every N after it, at most K; the newest due step only")
    func steps() throws {
        let policy = try #require(
            try EscalationPolicy.parse(EscalationFields(after: "30", target: "kadis", repeatEvery: "1h", maxRepeats: 2)).get())
        #expect(policy == EscalationPolicy(after: 1800, target: "kadis", repeatEvery: 3600, maxRepeats: 2))
        #expect(policy.lastStep == 3)
        #expect([0, 1799, 1800, 5399, 5400, 9000, 999_999].map { policy.dueStep(elapsed: Double($0)) } == [nil, nil, 1, 1, 2, 3, 3])
        let reminders = try #require(
            try EscalationPolicy.parse(EscalationFields(after: nil, target: nil, repeatEvery: "15m", maxRepeats: nil)).get())
        #expect(reminders.maxRepeats == EscalationPolicy.defaultMaxRepeats && reminders.offset(ofStep: 2) == 1800)
        #expect(try EscalationPolicy.parse(EscalationFields(after: nil, target: nil, repeatEvery: nil, maxRepeats: nil)).get() == nil)
    }

    @Test("escalation flags that do not go together are refused with the reason")
    func refusals() {
        func problem(_ fields: EscalationFields) -> String {
            guard case .failure(let problem) = EscalationPolicy.parse(fields) else { return "accepted" }
            return problem.description
        }
        #expect(problem(EscalationFields(after: nil, target: "kadis", repeatEvery: nil, maxRepeats: nil)).contains("--escalate-after"))
        #expect(problem(EscalationFields(after: "30s", target: nil, repeatEvery: nil, maxRepeats: nil)).contains("1 minute to 7 days"))
        #expect(problem(EscalationFields(after: "5", target: nil, repeatEvery: nil, maxRepeats: 3)).contains("--repeat"))
        #expect(problem(EscalationFields(after: "5", target: nil, repeatEvery: "5", maxRepeats: 500)).contains("1–100"))
        guard
            case .failure(let selfTarget) = NotifyChannelRequest.parse(
                name: "ops", region: nil, kinds: nil, minDown: nil, language: nil, webhook: "https://x.example/h", telegramChat: nil,
                telegramAPI: nil, secret: "s", escalation: EscalationFields(after: "5", target: "ops", repeatEvery: nil, maxRepeats: nil))
        else { Issue.record("a channel escalating to itself was accepted"); return }
        #expect(selfTarget.description.contains("itself"))
    }

    @Test("WhatsApp fields: E.164 recipients, template names, a phone-number id; refusals say how to fix them")
    func whatsapp() {
        func parse(_ recipients: String, id: String = "106540352242922", template: String? = "nadi_insiden") -> String {
            switch NotifyChannelRequest.parse(
                name: "wa", region: nil, kinds: nil, minDown: nil, language: nil, webhook: nil, telegramChat: nil, telegramAPI: nil,
                secret: "EAAG",
                whatsapp: WhatsAppFields(
                    phoneNumberID: id, recipients: recipients, incidentTemplate: template, recoveryTemplate: "nadi_pulih", api: nil))
            {
            case .success(let request):
                guard case .whatsapp(_, let numbers, _, let api) = request.target else { return "not whatsapp" }
                return numbers.joined(separator: ",") + " " + api.absoluteString
            case .failure(let problem): return problem.description
            }
        }
        #expect(parse("+6281234567890, +6285712345678,+6281234567890") == "+6281234567890,+6285712345678 https://graph.facebook.com/v21.0")
        #expect(parse("081234567890").contains("E.164"))
        #expect(parse("+62812", id: "+6281234567890").contains("phone-number id"))
        #expect(parse("+6281234567890", template: "Nadi Insiden").contains("template name"))
        #expect(parse("+6281234567890", template: nil).contains("--whatsapp-template-incident"))
    }
}
