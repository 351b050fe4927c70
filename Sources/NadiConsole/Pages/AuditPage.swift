import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Riwayat: the audit trail of the user's region (admins), or of one device or site
    /// (`?object=device:ID`, operators too), newest first.
    func auditPage(_ context: PageContext) async throws -> Response {
        guard let session = context.session, session.user.role.includes(.operator) else { throw PageNotFound() }
        var filter = AuditFilter()
        filter.region = session.user.region
        filter.limit = 200
        if let object = context.parameter("object"), filter.setObject(object) != nil { throw PageNotFound() }
        guard session.user.role == .admin || (filter.objectID != nil && ["device", "site"].contains(filter.objectType ?? "")) else {
            throw PageNotFound()
        }
        filter.actor = context.parameter("actor").flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        let events = try await AuditStore(client: client, logger: logger).events(filter)
        var page = common(context, title: "audit_title", active: "/riwayat")
        page["object_value"] = context.parameter("object") ?? ""
        page["actor_value"] = filter.actor ?? ""
        page["events"] = auditRows(events, context)
        page["has_events"] = !events.isEmpty
        return renderer.page("audit", page)
    }

    /// The rows of a history table, in the page's language and time zone.
    func auditRows(_ events: [AuditEvent], _ context: PageContext) -> [[String: Any]] {
        let words = ConsoleCatalog.words(context.language)
        return events.map { event in
            [
                "id": event.id, "at": minutes(event.at), "actor": event.actor, "address": event.address ?? "",
                "action": words["audit_\(event.action)"] ?? event.action, "object": "\(event.objectType):\(event.objectID)",
                "object_href": event.objectType == "device" ? "/devices/\(PageContext.encode(event.objectID))" : "",
                "change": AuditText.change(event, limit: 400), "request": String(event.requestID.prefix(8)),
            ]
        }
    }
}
