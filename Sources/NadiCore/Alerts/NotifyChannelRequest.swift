package import Foundation

/// Where a channel sends its messages.
package enum NotifyTarget: Sendable, Equatable {
    /// A JSON POST to `url`, signed with the channel's secret.
    case webhook(url: URL)
    /// Telegram's Bot API `sendMessage` to `chat` through `api` (https://api.telegram.org, or a local
    /// stand-in in tests).
    case telegram(chat: String, api: URL)
    /// Meta's WhatsApp Business Cloud API: template messages from the phone number `phoneNumberID` to
    /// each of `recipients` (E.164), through `api` (https://graph.facebook.com/v21.0, or a stand-in).
    case whatsapp(phoneNumberID: String, recipients: [String], templates: WhatsAppTemplates, api: URL)

    /// `webhook`, `telegram` or `whatsapp`, as stored.
    package var type: String {
        switch self {
        case .webhook: "webhook"
        case .telegram: "telegram"
        case .whatsapp: "whatsapp"
        }
    }
}

/// The names of the message templates a WhatsApp channel sends, as registered with Meta (WhatsApp
/// lets a business start a conversation only with a pre-approved template).
package struct WhatsAppTemplates: Sendable, Equatable {
    /// For an incident (and its escalations and reminders).
    package var incident: String
    /// For a recovery.
    package var recovery: String

    package init(incident: String, recovery: String) {
        self.incident = incident
        self.recovery = recovery
    }

    /// The Graph API's default base, with the version the requests were written against.
    package static let defaultAPI = "https://graph.facebook.com/v21.0"

    /// A template name as Meta takes it: lowercase letters, digits and underscores.
    package static func isName(_ name: String) -> Bool {
        (1...512).contains(name.unicodeScalars.count)
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `+6281234567890`: a plus and 8–15 digits, the first not 0 (E.164).
    package static func isE164(_ number: String) -> Bool {
        guard number.hasPrefix("+") else { return false }
        let digits = number.dropFirst()
        return (8...15).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    }
}

/// The WhatsApp parts of a channel as `nadi notify add` takes them, before validation.
package struct WhatsAppFields: Sendable, Equatable {
    package var phoneNumberID: String
    package var recipients: String
    package var incidentTemplate: String?
    package var recoveryTemplate: String?
    package var api: String?

    package init(phoneNumberID: String, recipients: String, incidentTemplate: String?, recoveryTemplate: String?, api: String?) {
        self.phoneNumberID = phoneNumberID
        self.recipients = recipients
        self.incidentTemplate = incidentTemplate
        self.recoveryTemplate = recoveryTemplate
        self.api = api
    }
}

/// The languages messages are written in.
package enum MessageLanguage: String, Sendable, Codable, CaseIterable {
    case id, en
}

/// A notification channel as `nadi notify add` takes it, validated once.
package struct NotifyChannelRequest: Sendable, Equatable {
    package var name: String
    package var region: RegionCode?
    package var kinds: [DeviceKind]?
    /// A device back within this many seconds never alerts.
    package var minDownSeconds: Int
    package var language: MessageLanguage
    package var target: NotifyTarget
    /// The webhook's HMAC key, the bot token or the WhatsApp access token: write-only.
    package var secret: String
    /// What happens when an incident stays unacknowledged (nil: nothing).
    package var escalation: EscalationPolicy?
    /// The channel receives only escalations, not every incident in its scope.
    package var escalationOnly: Bool

    /// The default `min_down`: five minutes.
    package static let defaultMinDown = 300

    package init(
        name: String, region: RegionCode?, kinds: [DeviceKind]?, minDownSeconds: Int = defaultMinDown, language: MessageLanguage = .id,
        target: NotifyTarget, secret: String, escalation: EscalationPolicy? = nil, escalationOnly: Bool = false
    ) {
        self.escalation = escalation
        self.escalationOnly = escalationOnly
        self.name = name
        self.region = region
        self.kinds = kinds
        self.minDownSeconds = minDownSeconds
        self.language = language
        self.target = target
        self.secret = secret
    }

    /// Validates the raw fields; the failure says which one is wrong and how.
    package static func parse(
        name: String, region: String?, kinds: String?, minDown: String?, language: String?, webhook: String?, telegramChat: String?,
        telegramAPI: String?, secret: String, whatsapp: WhatsAppFields? = nil, escalation: EscalationFields? = nil,
        escalationOnly: Bool = false
    ) -> Result<NotifyChannelRequest, ChannelProblem> {
        func fail(_ code: ChannelProblem.Code, _ text: String) -> Result<NotifyChannelRequest, ChannelProblem> {
            .failure(ChannelProblem(code, text))
        }
        guard isName(name) else {
            return fail(.name, "name must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        var code: RegionCode?
        if let region {
            guard let parsed = RegionCode(region) else {
                return fail(.region, "region '\(region.prefix(40))' is not \(RegionCode.formatHelp)")
            }
            code = parsed
        }
        var kindList: [DeviceKind]?
        if let kinds {
            var parsed: [DeviceKind] = []
            for part in kinds.split(separator: ",") {
                guard let kind = DeviceKind(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                    return fail(.kinds, "kind '\(part.prefix(30))' is not one of \(DeviceKind.allowedValues)")
                }
                if !parsed.contains(kind) { parsed.append(kind) }
            }
            guard !parsed.isEmpty else { return fail(.kinds, "kinds must name at least one of \(DeviceKind.allowedValues)") }
            kindList = parsed
        }
        var minDownSeconds = defaultMinDown
        if let minDown {
            guard let seconds = DurationText.seconds(minDown), seconds <= 86_400 else {
                return fail(.minDown, "min-down '\(minDown.prefix(20))' must be a duration up to 24h, e.g. 0, 90s, 5m or 1h")
            }
            minDownSeconds = seconds
        }
        var lang = MessageLanguage.id
        if let language {
            guard let parsed = MessageLanguage(rawValue: language) else { return fail(.language, "lang must be id or en") }
            lang = parsed
        }
        let target: NotifyTarget
        switch (webhook, telegramChat) {
        case (nil, nil) where whatsapp != nil:
            guard let whatsapp else { return fail(.destination, "give a webhook URL, a telegram chat or a WhatsApp phone-number id") }
            switch parseWhatsApp(whatsapp, secret: secret) {
            case .success(let parsed): target = parsed
            case .failure(let problem): return .failure(problem)
            }
        case (_, _) where whatsapp != nil:
            return fail(.destination, "give a webhook URL, a telegram chat or a WhatsApp phone-number id (one of them)")
        case (let webhook?, nil):
            guard telegramAPI == nil else { return fail(.destination, "telegram-api goes with telegram-chat, not with webhook") }
            guard let url = httpURL(webhook) else {
                return fail(.url, "webhook '\(webhook.prefix(60))' must be an http:// or https:// URL")
            }
            target = .webhook(url: url)
        case (nil, let chat?):
            guard isChat(chat) else { return fail(.telegramChat, "telegram-chat must be a chat id such as -1001234567890 or @channelname") }
            let apiText = telegramAPI ?? "https://api.telegram.org"
            guard let api = httpURL(apiText) else {
                return fail(.url, "telegram-api '\(apiText.prefix(60))' must be an http:// or https:// URL")
            }
            guard !secret.contains("/"), !secret.contains(where: \.isWhitespace) else {
                return fail(.botToken, "the bot token must be one word as @BotFather gives it (digits, ':', letters)")
            }
            target = .telegram(chat: chat, api: api)
        default:
            return fail(.destination, "give a webhook URL, a telegram chat or a WhatsApp phone-number id (one of them)")
        }
        guard !secret.isEmpty else { return fail(.secret, "the secret file is empty") }
        guard secret.utf8.count <= 4096 else { return fail(.secret, "the secret is longer than 4096 bytes") }
        if let problem = RecordValidation.nulProblem("secret", secret) { return fail(.secret, problem) }
        var policy: EscalationPolicy?
        if let escalation {
            switch EscalationPolicy.parse(escalation) {
            case .success(let parsed): policy = parsed
            case .failure(let problem): return .failure(problem)
            }
            if policy?.target == name {
                return fail(.escalationSelf, "a channel cannot escalate to itself; leave out --to to repeat on this channel")
            }
        }
        return .success(
            NotifyChannelRequest(
                name: name, region: code, kinds: kindList, minDownSeconds: minDownSeconds, language: lang, target: target, secret: secret,
                escalation: policy, escalationOnly: escalationOnly))
    }

    static func parseWhatsApp(_ fields: WhatsAppFields, secret: String) -> Result<NotifyTarget, ChannelProblem> {
        func fail(_ code: ChannelProblem.Code, _ text: String) -> Result<NotifyTarget, ChannelProblem> {
            .failure(ChannelProblem(code, text))
        }
        let id = fields.phoneNumberID
        guard (1...20).contains(id.count), id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return fail(
                .whatsappPhoneID,
                "whatsapp-phone-id must be the phone-number id Meta's WhatsApp Manager shows (digits), not the phone number")
        }
        var recipients: [String] = []
        for part in fields.recipients.split(separator: ",") {
            let number = part.trimmingCharacters(in: .whitespaces)
            guard WhatsAppTemplates.isE164(number) else {
                return fail(
                    .whatsappRecipients,
                    "recipient '\(number.prefix(20))' must be in E.164 form: + then the country code, e.g. +6281234567890")
            }
            if !recipients.contains(number) { recipients.append(number) }
        }
        guard !recipients.isEmpty else { return fail(.whatsappRecipients, "whatsapp-to needs at least one recipient, e.g. +6281234567890") }
        guard recipients.count <= 50 else { return fail(.whatsappRecipients, "whatsapp-to takes at most 50 recipients (one request each)") }
        guard let incident = fields.incidentTemplate, let recovery = fields.recoveryTemplate else {
            return fail(
                .whatsappTemplates, "give both --whatsapp-template-incident and --whatsapp-template-recovery (templates approved by Meta)")
        }
        for template in [incident, recovery] where !WhatsAppTemplates.isName(template) {
            return fail(
                .whatsappTemplates, "template '\(template.prefix(40))' is not a WhatsApp template name (lowercase letters, digits, '_')")
        }
        let apiText = fields.api ?? WhatsAppTemplates.defaultAPI
        guard let api = httpURL(apiText) else {
            return fail(.url, "whatsapp-api '\(apiText.prefix(60))' must be an http:// or https:// URL")
        }
        guard !secret.contains(where: \.isWhitespace) else {
            return fail(.whatsappToken, "the access token must be one word, as Meta gives it")
        }
        return .success(
            .whatsapp(
                phoneNumberID: id, recipients: recipients, templates: WhatsAppTemplates(incident: incident, recovery: recovery), api: api))
    }

    /// A channel's name: `ops-telegram`, `command.centre`.
    package static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64, first.isASCIIAlphanumeric else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
    }

    static func isChat(_ chat: String) -> Bool {
        if chat.hasPrefix("@") {
            let rest = chat.dropFirst().unicodeScalars
            return (5...32).contains(rest.count) && rest.allSatisfy { $0.isASCIIAlphanumeric || $0 == "_" }
        }
        let digits = chat.hasPrefix("-") ? chat.dropFirst() : Substring(chat)
        return (1...20).contains(digits.count) && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}

/// Durations as people type them: `0`, `90s`, `5m`, `1h`, `2d`.
package enum DurationText {
    /// Whole seconds, or nil when the text is not a duration.
    package static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return 0 }
        guard let unit = trimmed.last, let number = Int(trimmed.dropLast()), number >= 0, number <= 1_000_000 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86_400
        default: return nil
        }
    }

    /// `1 h 3 min`, `45 s`, `2 d 4 h` (`jam`, `menit`, `detik`, `hari` in Indonesian).
    package static func spoken(_ seconds: TimeInterval, language: MessageLanguage) -> String {
        let total = max(0, Int(seconds.rounded()))
        let (d, h, m, s) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        let units: (String, String, String, String) =
            language == .id ? ("hari", "jam", "menit", "detik") : ("d", "h", "min", "s")
        var parts: [String] = []
        if d > 0 { parts.append("\(d) \(units.0)") }
        if h > 0 { parts.append("\(h) \(units.1)") }
        if m > 0, d == 0 { parts.append("\(m) \(units.2)") }
        if parts.isEmpty { parts.append("\(s) \(units.3)") }
        return parts.joined(separator: " ")
    }
}
