import Crypto
package import Foundation
package import NadiCore
package import NadiReports

/// The JSON a webhook receives (documented in the README), and its signature.
package struct WebhookBody: Encodable, Sendable {
    struct Device: Encodable, Sendable {
        var id: String
        var name: String
        var kind: String
        var region: String
        var url: String?
    }

    /// The `Nadi-Event-Id`: the same on every try of one message.
    var eventID: String
    /// `incident.down`, `incident.recovered` or `test`.
    var type: String
    var channel: String
    var lang: String
    /// The message as a person reads it, in the channel's language.
    var message: String
    var device: Device?
    var since: String?
    var endedAt: String?
    var durationSeconds: Int?
    var dependentsDown: Int
    /// `picture` for a camera whose picture went bad, `down` for a device that stopped working.
    var problem: String?
    /// The picture problem (`image_black`, `image_frozen`, `image_blurred`, `fps_low`).
    var reason: String?
    /// An escalation or reminder: its step, the channel that escalated, how long it went unacknowledged.
    var escalation: Escalation?

    struct Escalation: Encodable, Sendable {
        var step: Int
        var from: String?
        var unacknowledged_s: Int?
    }

    enum CodingKeys: String, CodingKey {
        case type, channel, lang, message, device, since, problem, reason, escalation
        case eventID = "event_id"
        case endedAt = "ended_at"
        case durationSeconds = "duration_s"
        case dependentsDown = "dependents_down"
    }

    package init(eventID: String, payload: AlertPayload, text: AlertText) {
        self.eventID = eventID
        switch payload.kind {
        case .down: type = "incident.down"
        case .recovery: type = "incident.recovered"
        case .test: type = "test"
        }
        channel = payload.channel
        lang = text.language.rawValue
        message = text.plain(payload)
        device =
            payload.device.isEmpty
            ? nil
            : Device(
                id: payload.device, name: payload.name, kind: payload.deviceKind, region: payload.region,
                url: text.deviceLink(payload)?.absoluteString)
        since = payload.since.map(Timestamp.format)
        endedAt = payload.ended.map(Timestamp.format)
        durationSeconds = payload.duration.map { Int($0.rounded()) }
        dependentsDown = payload.dependentsDown
        if payload.kind != .test {
            problem = payload.picture == nil ? OutageProblem.down.rawValue : OutageProblem.picture.rawValue
            reason = payload.picture?.rawValue
        }
        if let step = payload.step {
            escalation = Escalation(step: step, from: payload.escalatedFrom, unacknowledged_s: payload.unacknowledgedSeconds)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(type, forKey: .type)
        try container.encode(channel, forKey: .channel)
        try container.encode(lang, forKey: .lang)
        try container.encode(message, forKey: .message)
        try container.encode(device, forKey: .device)
        try container.encode(since, forKey: .since)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(dependentsDown, forKey: .dependentsDown)
        try container.encodeIfPresent(problem, forKey: .problem)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(escalation, forKey: .escalation)
    }

    /// The body's bytes: sorted keys, so every try sends the same bytes.
    package func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// `Nadi-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the channel's secret.
package enum WebhookSignature {
    package static func header(body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }
}
