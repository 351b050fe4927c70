import Foundation
package import Logging
package import NadiCore
import PostgresNIO

/// Notification channels: added, listed, removed, and disabled when a receiver says it is gone.
package struct ChannelStore: Sendable {
    let client: DatabaseClient
    let logger: Logger

    package init(client: DatabaseClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    private static let columns = """
        c.id, c.name, c.type, c.region::text, c.kinds, c.min_down_s, c.lang, c.url, c.chat_id, c.created_at, c.disabled_at, c.disabled_reason, c.secret,
        c.recipients, c.template_incident, c.template_recovery, c.escalate_after_s, (SELECT t.name FROM notify_channel t WHERE t.id = c.escalate_to),
        c.repeat_s, c.max_repeats, c.escalation_only
        """
    private typealias Columns = (
        Int32, String, String, String?, [String]?, Int32, String, String, String?, PostgresTimestamp, PostgresTimestamp?, String?, String,
        [String]?, String?, String?, Int32?, String?, Int32?, Int32, Bool
    )

    private static func channel(_ c: Columns) -> NotifyChannelSecret {
        var channel = NotifyChannel(
            id: c.0, name: c.1, type: c.2, region: c.3, kinds: c.4, minDownSeconds: Int(c.5),
            language: MessageLanguage(rawValue: c.6) ?? .id,
            url: c.7, chat: c.8, createdAt: c.9.date, disabledAt: c.10?.date, disabledReason: c.11)
        channel.recipients = c.13
        if let incident = c.14, let recovery = c.15 { channel.templates = WhatsAppTemplates(incident: incident, recovery: recovery) }
        if c.16 != nil || c.18 != nil {
            channel.escalation = EscalationPolicy(
                after: c.16.map(Int.init), target: c.17, repeatEvery: c.18.map(Int.init), maxRepeats: Int(c.19))
        }
        channel.escalationOnly = c.20
        return NotifyChannelSecret(channel: channel, secret: c.12)
    }

    /// Adds `request`; refused when the name is taken or the region unknown.
    package func add(_ request: NotifyChannelRequest) async throws -> NotifyChannel {
        let url: String
        let chat: String?
        var recipients: [String]?
        var templates: WhatsAppTemplates?
        switch request.target {
        case .webhook(let address):
            url = address.absoluteString
            chat = nil
        case .telegram(let chatID, let api):
            url = api.absoluteString
            chat = chatID
        case .whatsapp(let phoneID, let numbers, let names, let api):
            url = api.absoluteString
            chat = phoneID
            recipients = numbers
            templates = names
        }
        let escalation = request.escalation
        if let target = escalation?.target {
            let known = try await client.query("SELECT 1 FROM notify_channel WHERE name = \(target)", logger: logger).collect()
            guard !known.isEmpty else {
                throw NotifyChannelRefused(
                    code: .unknownTarget, description: "no channel named '\(target)' to escalate to; add it first (nadi notify list)")
            }
        }
        if let region = request.region {
            let known = try await client.query("SELECT 1 FROM region WHERE code = \(region.rawValue)::ltree", logger: logger).collect()
            guard !known.isEmpty else { throw NotifyChannelRefused(code: .unknownRegion, description: "unknown region \(region.rawValue)") }
        }
        do {
            let rows = try await client.write(
                """
                INSERT INTO notify_channel AS c (name, type, region, kinds, min_down_s, lang, url, chat_id, secret, recipients,
                    template_incident, template_recovery, escalate_after_s, escalate_to, repeat_s, max_repeats, escalation_only)
                VALUES (\(request.name), \(request.target.type), \(request.region?.rawValue)::ltree, \(request.kinds.map { $0.map(\.rawValue) })::text[],
                        \(Int32(request.minDownSeconds)), \(request.language.rawValue), \(url), \(chat), \(request.secret), \(recipients)::text[],
                        \(templates?.incident), \(templates?.recovery), \(escalation?.after.map(Int32.init)),
                        (SELECT id FROM notify_channel WHERE name = \(escalation?.target)), \(escalation?.repeatEvery.map(Int32.init)),
                        \(Int32(escalation?.maxRepeats ?? 0)), \(request.escalationOnly))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for row in rows { return Self.channel(try row.decode(Columns.self)).channel }
        } catch let error where PostgresErrorText.code(error) == .uniqueViolation {
            throw NotifyChannelRefused(code: .nameTaken, description: "a channel named '\(request.name)' exists already")
        }
        throw NotifyChannelRefused(code: .notStored, description: "the channel was not stored")
    }

    /// Every channel, by name (no secrets).
    package func list() async throws -> [NotifyChannel] {
        try await withSecrets().map(\.channel)
    }

    /// Every channel with its secret, for the notifier.
    package func withSecrets() async throws -> [NotifyChannelSecret] {
        var channels: [NotifyChannelSecret] = []
        for try await row in try await client.query(
            "SELECT \(unescaped: Self.columns) FROM notify_channel c ORDER BY c.name", logger: logger
        ).decode(Columns.self) { channels.append(Self.channel(row)) }
        return channels
    }

    /// The channel named `name`, with its secret.
    package func named(_ name: String) async throws -> NotifyChannelSecret? {
        for try await row in try await client.query(
            "SELECT \(unescaped: Self.columns) FROM notify_channel c WHERE c.name = \(name)", logger: logger
        ).decode(Columns.self) { return Self.channel(row) }
        return nil
    }

    /// Removes the channel named `name` and its delivery log; false when there is none.
    package func remove(_ name: String) async throws -> Bool {
        !(try await client.write("DELETE FROM notify_channel WHERE name = \(name) RETURNING id", logger: logger).isEmpty)
    }

    /// Stops sending to a channel (a webhook that answered 410 Gone); `nadi notify list` shows why.
    package func disable(id: Int32, reason: String) async throws {
        _ = try await client.write(
            "UPDATE notify_channel SET disabled_at = now(), disabled_reason = \(reason) WHERE id = \(id) AND disabled_at IS NULL",
            logger: logger)
    }
}
