package import Foundation
package import NadiCore

/// A stored notification channel, as `nadi notify list` shows it: never its secret.
package struct NotifyChannel: Sendable, Equatable, Encodable {
    package var id: Int32
    package var name: String
    package var type: String
    package var region: String?
    package var kinds: [String]?
    package var minDownSeconds: Int
    package var language: MessageLanguage
    /// The webhook URL or the Bot API base, as entered.
    package var url: String
    package var chat: String?
    package var createdAt: Date
    package var disabledAt: Date?
    package var disabledReason: String?
    /// WhatsApp: the recipients (E.164) and the template names for an incident and a recovery.
    package var recipients: [String]? = nil
    package var templates: WhatsAppTemplates? = nil
    /// What happens to an incident nobody acknowledges (the target by name).
    package var escalation: EscalationPolicy? = nil
    /// Receives escalations only, not every incident in its scope.
    package var escalationOnly = false

    /// Where the channel sends, safe to show: scheme, host, port and path, without user info or query
    /// (either may carry a credential); for Telegram, the chat and the API host.
    package var destination: String {
        let shown = Self.withoutCredentials(url)
        if type == "whatsapp", let chat {
            return "whatsapp \((recipients ?? []).joined(separator: ", ")) from phone id \(chat) via \(shown)"
        }
        if let chat { return "telegram chat \(chat) via \(shown)" }
        return shown
    }

    /// `url` without user info, query and fragment.
    package static func withoutCredentials(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "(unparsable URL)" }
        parts.user = nil
        parts.password = nil
        let hadQuery = parts.query != nil
        parts.query = nil
        parts.fragment = nil
        return (parts.string ?? "(unparsable URL)") + (hadQuery ? "?…" : "")
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, region, kinds, destination, lang
        case minDownSeconds = "min_down_s"
        case createdAt = "created_at"
        case disabledAt = "disabled_at"
        case disabledReason = "disabled_reason"
        case escalation
        case escalationOnly = "escalation_only"
    }

    /// The escalation as `nadi notify list --format json` shows it.
    struct EscalationJSON: Encodable {
        var after_s: Int?
        var to: String?
        var repeat_s: Int?
        var max_repeats: Int
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(region, forKey: .region)
        try container.encode(kinds, forKey: .kinds)
        try container.encode(destination, forKey: .destination)
        try container.encode(language.rawValue, forKey: .lang)
        try container.encode(minDownSeconds, forKey: .minDownSeconds)
        try container.encode(Timestamp.format(createdAt), forKey: .createdAt)
        try container.encode(disabledAt.map(Timestamp.format), forKey: .disabledAt)
        try container.encode(disabledReason, forKey: .disabledReason)
        try container.encode(
            escalation.map { EscalationJSON(after_s: $0.after, to: $0.target, repeat_s: $0.repeatEvery, max_repeats: $0.maxRepeats) },
            forKey: .escalation)
        try container.encode(escalationOnly, forKey: .escalationOnly)
    }
}

/// A channel with what sending needs: its secret. Kept inside nadid and `nadi notify test`.
package struct NotifyChannelSecret: Sendable {
    package var channel: NotifyChannel
    package var secret: String
}

/// A channel that cannot be added or changed, with the reason.
package struct NotifyChannelRefused: Error, Sendable, CustomStringConvertible {
    package let code: ChannelProblem.Code
    package let description: String
}
