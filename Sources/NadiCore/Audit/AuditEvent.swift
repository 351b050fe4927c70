package import Foundation

/// One row of the audit trail: who changed which object how, with its values before and after
/// (only the fields that changed, for an update; secrets never). The JSON of `nadi audit --format
/// json` and `GET /v1/audit`.
package struct AuditEvent: Sendable, Equatable, Codable {
    package var id: Int64
    package var at: Date
    /// `token:<name>`, `console:<user>`, `cli:<os user>`, `system:<job>`, or `sql:<role>` for a
    /// change made by hand in SQL.
    package var actor: String
    package var address: String?
    package var requestID: String
    /// `create`, `update` or `delete`.
    package var action: String
    /// `region`, `site`, `device`, `target`, `maintenance`, `incident`, `user`, `token`, `channel`, `schedule`, `federation`, `audit` (a pruning).
    package var objectType: String
    package var objectID: String
    package var region: String?
    package var before: JSONValue?
    package var after: JSONValue?

    package init(
        id: Int64, at: Date, actor: String, address: String?, requestID: String, action: String, objectType: String, objectID: String,
        region: String?, before: JSONValue?, after: JSONValue?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.address = address
        self.requestID = requestID
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.region = region
        self.before = before
        self.after = after
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, address, action, region, before, after
        case requestID = "request_id"
        case objectType = "object_type"
        case objectID = "object_id"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(Timestamp.format(at), forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(address, forKey: .address)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(action, forKey: .action)
        try container.encode(objectType, forKey: .objectType)
        try container.encode(objectID, forKey: .objectID)
        try container.encode(region, forKey: .region)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
    }
}

/// What the audit trail is asked for (`nadi audit` flags, `GET /v1/audit` parameters).
package struct AuditFilter: Sendable, Equatable {
    package var region: RegionCode?
    package var objectType: String?
    package var objectID: String?
    package var actor: String?
    package var since: Date?
    package var until: Date?
    /// Only rows older than this id (the next page of a newest-first listing).
    package var beforeID: Int64?
    package var limit = 100

    package init() {}

    /// The object types the trail records.
    package static let objectTypes = [
        "region", "site", "device", "target", "maintenance", "incident", "user", "token", "channel", "schedule", "federation", "audit",
    ]

    /// Reads `TYPE` or `TYPE:ID` (`--object device:PLG-CCTV-1`); nil with the reason when the type is unknown.
    package mutating func setObject(_ text: String) -> String? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let type = parts.first, Self.objectTypes.contains(type) else {
            return "object must be TYPE or TYPE:ID with TYPE one of \(Self.objectTypes.joined(separator: ", "))"
        }
        objectType = type
        objectID = parts.count == 2 ? parts[1] : nil
        return nil
    }
}
