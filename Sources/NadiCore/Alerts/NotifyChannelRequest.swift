package import Foundation

/// Where a channel sends its messages.
package enum NotifyTarget: Sendable, Equatable {
    /// A JSON POST to `url`, signed with the channel's secret.
    case webhook(url: URL)
    /// Telegram's Bot API `sendMessage` to `chat` through `api` (https://api.telegram.org, or a local
    /// stand-in in tests).
    case telegram(chat: String, api: URL)

    /// `webhook` or `telegram`, as stored.
    package var type: String {
        switch self {
        case .webhook: "webhook"
        case .telegram: "telegram"
        }
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
    /// The webhook's HMAC key or the bot token: write-only.
    package var secret: String

    /// The default `min_down`: five minutes.
    package static let defaultMinDown = 300

    package init(
        name: String, region: RegionCode?, kinds: [DeviceKind]?, minDownSeconds: Int = defaultMinDown, language: MessageLanguage = .id,
        target: NotifyTarget, secret: String
    ) {
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
        telegramAPI: String?, secret: String
    ) -> Result<NotifyChannelRequest, DecodeProblem> {
        func fail(_ text: String) -> Result<NotifyChannelRequest, DecodeProblem> { .failure(DecodeProblem(text)) }
        guard isName(name) else { return fail("name must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit") }
        var code: RegionCode?
        if let region {
            guard let parsed = RegionCode(region) else { return fail("region '\(region.prefix(40))' is not \(RegionCode.formatHelp)") }
            code = parsed
        }
        var kindList: [DeviceKind]?
        if let kinds {
            var parsed: [DeviceKind] = []
            for part in kinds.split(separator: ",") {
                guard let kind = DeviceKind(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                    return fail("kind '\(part.prefix(30))' is not one of \(DeviceKind.allowedValues)")
                }
                if !parsed.contains(kind) { parsed.append(kind) }
            }
            guard !parsed.isEmpty else { return fail("kinds must name at least one of \(DeviceKind.allowedValues)") }
            kindList = parsed
        }
        var minDownSeconds = defaultMinDown
        if let minDown {
            guard let seconds = DurationText.seconds(minDown), seconds <= 86_400 else {
                return fail("min-down '\(minDown.prefix(20))' must be a duration up to 24h, e.g. 0, 90s, 5m or 1h")
            }
            minDownSeconds = seconds
        }
        var lang = MessageLanguage.id
        if let language {
            guard let parsed = MessageLanguage(rawValue: language) else { return fail("lang must be id or en") }
            lang = parsed
        }
        let target: NotifyTarget
        switch (webhook, telegramChat) {
        case (let webhook?, nil):
            guard telegramAPI == nil else { return fail("telegram-api goes with telegram-chat, not with webhook") }
            guard let url = httpURL(webhook) else { return fail("webhook '\(webhook.prefix(60))' must be an http:// or https:// URL") }
            target = .webhook(url: url)
        case (nil, let chat?):
            guard isChat(chat) else { return fail("telegram-chat must be a chat id such as -1001234567890 or @channelname") }
            let apiText = telegramAPI ?? "https://api.telegram.org"
            guard let api = httpURL(apiText) else { return fail("telegram-api '\(apiText.prefix(60))' must be an http:// or https:// URL") }
            guard !secret.contains("/"), !secret.contains(where: \.isWhitespace) else {
                return fail("the bot token must be one word as @BotFather gives it (digits, ':', letters)")
            }
            target = .telegram(chat: chat, api: api)
        default:
            return fail("give a webhook URL or a telegram chat (one of them)")
        }
        guard !secret.isEmpty else { return fail("the secret file is empty") }
        guard secret.utf8.count <= 4096 else { return fail("the secret is longer than 4096 bytes") }
        if let problem = RecordValidation.nulProblem("secret", secret) { return fail(problem) }
        return .success(
            NotifyChannelRequest(
                name: name, region: code, kinds: kindList, minDownSeconds: minDownSeconds, language: lang, target: target, secret: secret))
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
