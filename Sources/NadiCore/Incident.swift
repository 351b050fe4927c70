package import Foundation

/// An open incident: a root device that is not operational, and how many devices are down because of it.
package struct Incident: Sendable, Equatable, Encodable {
    package var root: String
    package var name: String
    package var kind: String
    package var region: String
    package var since: Date?
    /// `own` (a failure) or `maintenance` (planned work on the root).
    package var cause: Cause
    /// Devices not operational because of the root (its dependents whose cause is upstream/maintenance with this root).
    package var dependentsDown: Int

    package init(root: String, name: String, kind: String, region: String, since: Date?, cause: Cause, dependentsDown: Int) {
        self.root = root
        self.name = name
        self.kind = kind
        self.region = region
        self.since = since
        self.cause = cause
        self.dependentsDown = dependentsDown
    }

    enum CodingKeys: String, CodingKey {
        case root, name, kind, region, since, cause
        case dependentsDown = "dependents_down"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(root, forKey: .root)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(region, forKey: .region)
        try container.encode(since.map(Timestamp.format), forKey: .since)
        try container.encode(cause, forKey: .cause)
        try container.encode(dependentsDown, forKey: .dependentsDown)
    }
}
