package import Foundation

/// What one alert message says, stored with the delivery so that every try sends the same body.
package struct AlertPayload: Sendable, Equatable, Codable {
    package enum Kind: String, Sendable, Codable {
        /// An incident opened: the root device is down (its own failure) and so many devices behind it.
        case down
        /// The incident closed: the root device works again.
        case recovery
        /// `nadi notify test`.
        case test
    }

    package var kind: Kind
    /// The root device's external id, name, kind and region (empty for a test).
    package var device: String
    package var name: String
    package var deviceKind: String
    package var region: String
    /// When the root went down.
    package var since: Date?
    /// When it came back (recovery only).
    package var ended: Date?
    /// Devices not operational because of the root when the incident was announced.
    package var dependentsDown: Int
    /// The channel's name (tests say which channel they test).
    package var channel: String
    /// For a camera whose picture went bad: `image_black`, `image_frozen`, `image_blurred` or
    /// `fps_low` (nil for an outage of the device itself).
    package var picture: PictureProblem?
    /// An escalation or a reminder: its step (1, 2, …; nil for the first message), the channel that
    /// escalated, and how long the incident had gone unacknowledged.
    package var step: Int?
    package var escalatedFrom: String?
    package var unacknowledgedSeconds: Int?

    package init(
        kind: Kind, device: String, name: String, deviceKind: String, region: String, since: Date?, ended: Date?, dependentsDown: Int,
        channel: String, picture: PictureProblem? = nil
    ) {
        self.kind = kind
        self.device = device
        self.name = name
        self.deviceKind = deviceKind
        self.region = region
        self.since = since
        self.ended = ended
        self.dependentsDown = dependentsDown
        self.channel = channel
        self.picture = picture
    }

    /// How long the incident lasted (recovery only).
    package var duration: TimeInterval? {
        guard let since, let ended else { return nil }
        return ended.timeIntervalSince(since)
    }

    enum CodingKeys: String, CodingKey {
        case kind, device, name, region, since, ended, channel, picture, step
        case escalatedFrom = "escalated_from"
        case unacknowledgedSeconds = "unacknowledged_s"
        case deviceKind = "device_kind"
        case dependentsDown = "dependents_down"
    }
}

extension AlertPayload {
    /// The payload as stored and as the webhook body's base: sorted keys, RFC 3339 times.
    package func json() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }

    /// Reads a stored payload.
    package static func decode(_ text: String) throws -> AlertPayload {
        try decoder.decode(AlertPayload.self, from: Data(text.utf8))
    }

    static var encoder: JSONEncoder { .nadi() }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time"))
            }
            return date
        }
        return decoder
    }
}
