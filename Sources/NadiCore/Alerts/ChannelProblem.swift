/// Why an alert channel cannot be added, shaped like postgres-nio's `PSQLError`: callers branch on
/// `code` (the console shows its sentence in the user's language), people read `description` (the
/// English sentence `nadi notify add` prints, naming its flags).
package struct ChannelProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal it is; the raw value is the console's word-catalog key (after `problem_`).
    package enum Code: String, Sendable, CaseIterable {
        case name = "channel_name"
        case region = "channel_region"
        case kinds = "channel_kinds"
        case minDown = "channel_min_down"
        case language = "channel_lang"
        /// Not exactly one of a webhook, a Telegram chat or a WhatsApp number.
        case destination = "channel_destination"
        case url = "channel_url"
        case telegramChat = "channel_telegram_chat"
        case botToken = "channel_bot_token"
        case secret = "channel_secret"
        case escalationTime = "channel_escalation_time"
        case escalationTarget = "channel_escalation_target"
        case escalationRepeats = "channel_escalation_repeats"
        case escalationSelf = "channel_escalation_self"
        case whatsappPhoneID = "channel_whatsapp_phone_id"
        case whatsappRecipients = "channel_whatsapp_recipients"
        case whatsappTemplates = "channel_whatsapp_templates"
        case whatsappToken = "channel_whatsapp_token"
        /// The channel to escalate to does not exist.
        case unknownTarget = "channel_unknown_target"
        case unknownRegion = "channel_unknown_region"
        case nameTaken = "channel_name_taken"
        case notStored = "channel_not_stored"
    }

    package let code: Code
    package let description: String

    package init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
