import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiCore
import NadiStore
import NadiSupport

/// `GET /v1/audit`: the audit trail, newest first, with the `audit` (or `admin`) scope, limited to
/// the token's region. Paged: `before_id` takes the answer's `next_before_id`.
struct AuditController: Sendable {
    let configuration: ServerConfiguration
    let authorizer: Authorizer
    let store: AuditStore
    let logger: Logger

    /// The answer: a page of rows and where the next page starts (nil on the last).
    struct Page: Encodable {
        var events: [AuditEvent]
        var nextBeforeID: Int64?

        enum CodingKeys: String, CodingKey {
            case events
            case nextBeforeID = "next_before_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(events, forKey: .events)
            try container.encode(nextBeforeID, forKey: .nextBeforeID)
        }
    }

    func addRoutes(to router: Router<some AuthRequestContext<APIToken>>) {
        router.requiring([.audit, .admin], by: authorizer).get("/v1/audit") { request, context in
            try await list(request, token: context.requireIdentity())
        }
    }

    func list(_ request: Request, token: APIToken) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = AuditFilter()
        if let text = query["region"] {
            guard let code = RegionCode(String(text)) else { throw APIError(.badRequest, "region must be \(RegionCode.formatHelp)") }
            filter.region = code
        }
        if let scope = token.region {
            guard let chosen = filter.region ?? Optional(scope), chosen.isWithin(scope) else {
                throw APIError(.forbidden, "this token may read region \(scope) and below only")
            }
            filter.region = chosen
        }
        for name in ["object", "actor"] {
            if let text = query[Substring(name)], text.utf8.count > 200 || text.contains("\0") {
                throw APIError(.badRequest, "\(name) must be at most 200 characters, without NUL")
            }
        }
        if let object = query["object"], let problem = filter.setObject(String(object)) { throw APIError(.badRequest, problem) }
        filter.actor = query["actor"].map(String.init)
        for (name, keyPath) in [("since", \AuditFilter.since), ("until", \AuditFilter.until)] {
            guard let text = query[Substring(name)] else { continue }
            guard let date = Timestamp.parse(String(text)) else { throw APIError(.badRequest, "\(name) must be an RFC 3339 time") }
            filter[keyPath: keyPath] = date
        }
        if let text = query["before_id"] {
            guard let id = Int64(String(text)), id > 0 else {
                throw APIError(.badRequest, "before_id must be a row id (a positive integer)")
            }
            filter.beforeID = id
        }
        if let text = query["limit"] {
            guard let limit = Int(String(text)), (1...1000).contains(limit) else { throw APIError(.badRequest, "limit must be 1–1000") }
            filter.limit = limit
        }
        let chosen = filter
        let events = try await withDeadline(configuration.databaseTimeout) { [store] in try await store.events(chosen) }
        return JSONBody.response(Page(events: events, nextBeforeID: events.count == chosen.limit ? events.last?.id : nil))
    }
}
