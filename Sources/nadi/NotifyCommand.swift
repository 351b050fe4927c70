import ArgumentParser
import Foundation
import NadiCore
import NadiNotify
import NadiReports
import NadiStore

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Alert channels: where nadid tells people about incidents (Telegram groups, WhatsApp, webhooks).",
        discussion: """
            nadid sends one message per incident — the root device down, with the count of devices behind it — once it has
            been down for the channel's --min-down, and a recovery message with the duration when it is back. Nothing is
            sent for devices in maintenance, nor for dependents while their root is down. Messages are in Bahasa Indonesia
            unless the channel says --lang en; times are in the deployment's zone.

            Examples:
              nadi notify add --name ops-telegram --region 16.71 --telegram-chat -1001234567890 --telegram-token-file /etc/nadi/bot-token
              nadi notify add --name command-centre --region 16.71 --kinds fiber_link,cctv --min-down 2m \\
                  --webhook https://cc.example.go.id/hooks/nadi --secret-file /etc/nadi/webhook-secret
              nadi notify add --name kadis-wa --escalation-only --whatsapp-phone-id 106540352242922 --whatsapp-to +6281234567890 \\
                  --whatsapp-template-incident nadi_insiden --whatsapp-template-recovery nadi_pulih --whatsapp-token-file /etc/nadi/wa-token
              nadi notify add --name ops-telegram … --escalate-after 30m --to kadis-wa --repeat 60m --max-repeats 4
              nadi notify test ops-telegram
              nadi notify log ops-telegram
              nadi notify schedule add --channel ops-telegram --report monthly --region 16.71 --day 1 --at 07:00
            """,
        subcommands: [NotifyAdd.self, NotifyList.self, NotifyRemove.self, NotifyTest.self, NotifyLog.self, NotifySchedule.self])
}

/// Reads a secret from a file: the first line, without its line break. Secrets never come from argv.
func readSecret(_ path: String, what: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read the \(what) file \(path)") }
    let text = String(decoding: data, as: UTF8.self)
    return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

struct NotifyAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a channel: a webhook (signed JSON), a Telegram chat or WhatsApp numbers.",
        discussion: """
            A webhook receives a JSON POST with the headers Nadi-Event-Id (the same on every retry: use it to drop repeats) and \
            Nadi-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>. A 2xx answer means delivered; anything else, \
            or no answer within 10 s, is retried with exponential backoff for up to 24 h; 410 Gone disables the channel. \
            Secrets are read from files and are never printed, logged or exported.

            WhatsApp goes through Meta's WhatsApp Business Cloud API, which lets a business start a conversation only with a \
            template Meta approved: register an incident and a recovery template (README, "WhatsApp") and name them here. Each \
            recipient gets its own message; one that has not opted in, or a template not approved, is stated in \
            `nadi notify log` and not retried; a 429 is retried after the Retry-After it gives.

            Escalation: with --escalate-after M, an incident announced on this channel and not acknowledged (console, or \
            `nadi incidents ack`) M minutes after that first message is sent to --to (or again here); with --repeat N it is \
            sent again every N minutes after that, at most --max-repeats times (default 3). Each step is sent once, across \
            restarts and a second nadid; an acknowledgement or the recovery stops the rest.
            """)

    @Option(help: "The channel's name (letters, digits, '.', '_', '-').") var name: String
    @Option(help: "Only incidents whose root device is under this region code (default: all).") var region: String?
    @Option(help: "Only these kinds, comma-separated (\(DeviceKind.allowedValues)).") var kinds: String?
    @Option(help: "A device back within this long never alerts: 0, 90s, 5m, 1h (default 5m).") var minDown: String?
    @Option(help: "Language of the messages: id (Bahasa Indonesia) or en.") var lang: String?
    @Option(help: "Webhook: the URL to POST to.") var webhook: String?
    @Option(help: "Webhook: a file holding the HMAC secret.") var secretFile: String?
    @Option(help: "Telegram: the chat id (-100… for groups) or @channel.") var telegramChat: String?
    @Option(help: "Telegram: a file holding the bot token from @BotFather.") var telegramTokenFile: String?
    @Option(help: "Telegram: the Bot API base URL (default https://api.telegram.org).") var telegramAPI: String?
    @Option(help: "WhatsApp: the phone-number id from WhatsApp Manager (digits; not the phone number).") var whatsappPhoneId: String?
    @Option(help: "WhatsApp: recipients in E.164, comma-separated: +6281234567890,+6285712345678.") var whatsappTo: String?
    @Option(help: "WhatsApp: the approved template for an incident (5 body parameters, README).") var whatsappTemplateIncident: String?
    @Option(help: "WhatsApp: the approved template for a recovery (5 body parameters, README).") var whatsappTemplateRecovery: String?
    @Option(help: "WhatsApp: a file holding the Cloud API access token (a system user's permanent token).") var whatsappTokenFile: String?
    @Option(help: "WhatsApp: the Graph API base URL with its version (default \(WhatsAppTemplates.defaultAPI)).") var whatsappAPI: String?
    @Option(help: "Escalate an incident still unacknowledged this long after the first message: 30 (minutes), 30m, 2h.")
    var escalateAfter: String?
    @Option(help: "The channel to escalate to (default: this one again).") var to: String?
    @Option(help: "Send again every this long after the escalation: 60 (minutes), 1h.") var `repeat`: String?
    @Option(help: "At most this many repeats (default 3 with --repeat).") var maxRepeats: Int?
    @Flag(help: "This channel only receives escalations from other channels, not every incident in its scope.")
    var escalationOnly = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if webhook != nil, secretFile == nil { throw ValidationError("--webhook needs --secret-file") }
        if telegramChat != nil, telegramTokenFile == nil { throw ValidationError("--telegram-chat needs --telegram-token-file") }
        if whatsappPhoneId != nil, whatsappTokenFile == nil || whatsappTo == nil {
            throw ValidationError("--whatsapp-phone-id needs --whatsapp-to and --whatsapp-token-file")
        }
        if webhook == nil, telegramChat == nil, whatsappPhoneId == nil {
            throw ValidationError(
                "give --webhook URL --secret-file F, --telegram-chat ID --telegram-token-file F, or --whatsapp-phone-id ID --whatsapp-to NUMBERS --whatsapp-token-file F"
            )
        }
    }

    func run() async throws {
        let what = webhook != nil ? "secret" : (telegramChat != nil ? "bot token" : "access token")
        let secret = try readSecret(secretFile ?? telegramTokenFile ?? whatsappTokenFile ?? "", what: what)
        let whatsapp = whatsappPhoneId.map {
            WhatsAppFields(
                phoneNumberID: $0, recipients: whatsappTo ?? "", incidentTemplate: whatsappTemplateIncident,
                recoveryTemplate: whatsappTemplateRecovery, api: whatsappAPI)
        }
        let escalation =
            escalateAfter == nil && `repeat` == nil && to == nil && maxRepeats == nil
            ? nil : EscalationFields(after: escalateAfter, target: to, repeatEvery: `repeat`, maxRepeats: maxRepeats)
        let parsed = NotifyChannelRequest.parse(
            name: name, region: region, kinds: kinds, minDown: minDown, language: lang, webhook: webhook, telegramChat: telegramChat,
            telegramAPI: telegramAPI, secret: secret, whatsapp: whatsapp, escalation: escalation, escalationOnly: escalationOnly)
        let request: NotifyChannelRequest
        switch parsed {
        case .success(let value): request = value
        case .failure(let problem): throw CLIError("not added: \(problem)")
        }
        do {
            let channel = try await database.withClient { client in
                try await ChannelStore(client: client, logger: CLILogger.make()).add(request)
            }
            print(
                "channel '\(channel.name)' added: \(channel.destination), \(NotifyTable.scope(channel)); try it: nadi notify test \(channel.name)"
            )
        } catch let refused as NotifyChannelRefused {
            throw CLIError("not added: \(refused)")
        }
    }
}

struct NotifyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the channels (secrets are never shown).",
        discussion:
            "Each channel's type, destination, region and kinds, minimum outage, language and state. Example: nadi notify list --format json"
    )
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let channels = try await database.withClient { client in try await ChannelStore(client: client, logger: CLILogger.make()).list() }
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(channels), as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: ["name", "type", "destination", "region", "kinds", "min_down_s", "lang", "disabled_reason"],
                    rows: channels.map {
                        [
                            $0.name, $0.type, $0.destination, $0.region ?? "", ($0.kinds ?? []).joined(separator: ","),
                            String($0.minDownSeconds),
                            $0.language.rawValue, $0.disabledReason ?? "",
                        ]
                    }), terminator: "")
        case .table:
            print(
                TextTable.render(
                    header: ["NAME", "TYPE", "DESTINATION", "SCOPE", "MIN DOWN", "ESCALATION", "LANG", "STATE"],
                    rows: channels.map {
                        [
                            $0.name, $0.type, $0.destination, NotifyTable.scope($0),
                            DurationText.spoken(Double($0.minDownSeconds), language: .en), NotifyTable.escalation($0),
                            $0.language.rawValue, $0.disabledReason.map { "disabled: \($0)" } ?? "active",
                        ]
                    }))
            print("\(channels.count) channels")
        }
    }
}

struct NotifyRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a channel and its delivery log.",
        discussion: "Messages not yet delivered to it are dropped. Example: nadi notify remove ops-plg")
    @Argument(help: "The channel's name.") var name: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let name = self.name
        let removed = try await database.withClient { client in
            try await ChannelStore(client: client, logger: CLILogger.make()).remove(name)
        }
        guard removed else { throw CLIError("no channel named '\(name)' (nadi notify list)") }
        print("channel '\(name)' removed")
    }
}

struct NotifyTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send a test message to a channel now and print the receiver's answer.",
        discussion: "Use it after `nadi notify add` to see the group or webhook receive Nadi's messages. Example: nadi notify test ops-plg")
    @Argument(help: "The channel's name.") var name: String
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let name = self.name
        let zone = time.zone
        let (outcome, destination) = try await database.withClient { client -> (SendOutcome, String) in
            let logger = CLILogger.make()
            guard let channel = try await ChannelStore(client: client, logger: logger).named(name) else {
                throw CLIError("no channel named '\(name)' (nadi notify list)")
            }
            let payload = AlertPayload(
                kind: .test, device: "", name: "", deviceKind: "", region: "", since: nil, ended: nil, dependentsDown: 0, channel: name)
            let sender = AlertSender(http: AlertSender.makeHTTPClient(), zone: zone, publicURL: nil)
            let started = ContinuousClock.now
            let outcome = await sender.send(payload, eventID: UUID().uuidString.lowercased(), to: channel)
            await sender.shutdown()
            var logged = outcome
            logged.detail = (outcome.detail.map { $0 + "; " } ?? "") + "answered in \(Int((ContinuousClock.now - started).milliseconds)) ms"
            try await DeliveryStore(client: client, logger: logger).recordTest(
                channel: channel.channel.id, payload: payload, outcome: (logged.delivered, logged.status, logged.detail))
            return (logged, channel.channel.destination)
        }
        if outcome.delivered {
            print("delivered to \(destination): HTTP \(outcome.status ?? 0), \(outcome.detail ?? "")")
        } else {
            throw CLIError("not delivered to \(destination): \(outcome.detail ?? "no answer")")
        }
    }
}

struct NotifyLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The newest deliveries, with their last error.",
        discussion: """
            When an alert did not arrive, start here: each try's outcome and the receiver's answer. Examples:
              nadi notify log
              nadi notify log ops-plg --limit 10
            """)
    @Argument(help: "Only this channel.") var name: String?
    @Option(help: "How many.") var limit = 50
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var time: ReportTimeZone
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1–10000") }
    }

    func run() async throws {
        let name = self.name
        let limit = self.limit
        let entries = try await database.withClient { client in
            try await DeliveryStore(client: client, logger: CLILogger.make()).log(channel: name, limit: limit)
        }
        let local = LocalTime(zone: time.zone)
        switch format {
        case .json: print(String(decoding: try JSONEncoder.report.encode(entries), as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: [
                        "id", "event_id", "channel", "kind", "step", "device", "state", "attempts", "last_status", "last_error",
                        "created_at",
                        "delivered_at",
                    ],
                    rows: entries.map {
                        [
                            String($0.id), $0.eventID, $0.channel, $0.kind, String($0.step), $0.device, $0.state, String($0.attempts),
                            $0.lastStatus.map(String.init) ?? "",
                            $0.lastError ?? "", Timestamp.format($0.created), $0.delivered.map(Timestamp.format) ?? "",
                        ]
                    }), terminator: "")
        case .table:
            print(
                TextTable.render(
                    header: ["QUEUED (\(local.zoneName))", "CHANNEL", "KIND", "STEP", "DEVICE", "STATE", "TRIES", "LAST ANSWER"],
                    rows: entries.map {
                        [
                            local.minutes($0.created), $0.channel, $0.kind, $0.step == 0 ? "" : "escalation \($0.step)", $0.device,
                            $0.state,
                            String($0.attempts),
                            [$0.lastStatus.map { "HTTP \($0)" }, $0.lastError].compactMap { $0 }.joined(separator: " "),
                        ]
                    }))
            print("\(entries.count) deliveries")
        }
    }
}

/// How channels read in a terminal.
enum NotifyTable {
    static func scope(_ channel: NotifyChannel) -> String {
        if channel.escalationOnly { return "escalations only" }
        return (channel.region ?? "all regions") + (channel.kinds.map { " (\($0.joined(separator: ", ")))" } ?? "")
    }

    /// `after 30 min to kadis-wa, then every 1 h (at most 4)`, or `-`.
    static func escalation(_ channel: NotifyChannel) -> String {
        guard let policy = channel.escalation else { return "-" }
        var parts: [String] = []
        if let after = policy.after {
            parts.append("after \(DurationText.spoken(Double(after), language: .en)) to \(policy.target ?? "itself")")
        }
        if let every = policy.repeatEvery {
            parts.append("every \(DurationText.spoken(Double(every), language: .en)) (at most \(policy.maxRepeats))")
        }
        return parts.joined(separator: ", then ")
    }
}
