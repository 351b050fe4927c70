package import Foundation

/// One row of `nadi devices list`: a device in service with its state.
package struct DeviceListing: Sendable, Equatable, Encodable {
    package var device: String
    package var kind: String
    package var region: String
    package var name: String
    package var status: String
    package var reason: String?
    package var since: Date?
    package var lastSeen: Date?
    /// Why a non-operational device is down now (`own`, `upstream`, `maintenance`), and the root.
    package var cause: Cause?
    package var root: String?

    package init(
        device: String, kind: String, region: String, name: String, status: String, reason: String?, since: Date?, lastSeen: Date?
    ) {
        self.device = device
        self.kind = kind
        self.region = region
        self.name = name
        self.status = status
        self.reason = reason
        self.since = since
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case device, kind, region, name, status, reason, since, cause, root
        case lastSeen = "last_seen"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(kind, forKey: .kind)
        try container.encode(region, forKey: .region)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(since.map(Timestamp.format), forKey: .since)
        try container.encodeIfPresent(lastSeen.map(Timestamp.format), forKey: .lastSeen)
        try container.encodeIfPresent(cause, forKey: .cause)
        try container.encodeIfPresent(root, forKey: .root)
    }
}
