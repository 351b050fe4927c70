import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Ringkasan: devices by kind and state, open incidents, the longest silent, maintenance now,
    /// the newest ping.
    func overview(_ context: PageContext) async throws -> Response {
        let region = context.session?.user.region
        let language = context.language
        let store = DeviceStateStore(client: client, logger: logger)
        let counts = try await store.counts(region: region)
        let statuses = ["up", "degraded", "down", "unknown"]
        let kinds = DeviceKind.allCases.map { kind -> [String: Any] in
            let row = statuses.map { status in counts.first { $0.kind == kind && $0.status.rawValue == status }?.count ?? 0 }
            return [
                "kind": ConsoleCatalog.kind(kind, language), "href": "/devices?kind=\(kind.rawValue)",
                "cells": zip(statuses, row).map { ["count": $1, "status": $0, "href": "/devices?kind=\(kind.rawValue)&state=\($0)"] },
                "total": row.reduce(0, +),
            ]
        }
        let incidents = try await IncidentQuery(client: client, logger: logger).open(region: region)
        let acks = try await IncidentAckStore(client: client, logger: logger).acknowledgements(incidents)
        let canAcknowledge = context.session?.user.role.includes(.operator) ?? false
        let silent = try await store.list(DeviceFilter(region: region, silent: true))
            .sorted { ($0.lastSeen ?? .distantPast) < ($1.lastSeen ?? .distantPast) }
        let windows = try await MaintenanceStore(client: client, logger: logger).list(scope: region, region: nil, activeAt: Date())
        var page = common(context, title: "nav_overview", active: "/")
        page["statuses"] = statuses.map { ConsoleCatalog.status($0, language) }
        page["kinds"] = kinds
        page["incidents"] = incidents.prefix(50).map { incident -> [String: Any] in
            [
                "root": incident.root, "href": "/devices/\(PageContext.encode(incident.root))", "name": incident.name,
                "kind": DeviceKind(rawValue: incident.kind).map { ConsoleCatalog.kind($0, language) } ?? incident.kind,
                "region": incident.region, "since": minutes(incident.since), "cause": ConsoleCatalog.cause(incident.cause, language),
                "dependents": incident.dependentsDown,
                "ack": acks[incident.root].map { ["by": $0.by, "at": minutes($0.at), "note": $0.note] } as Any,
                "can_ack": canAcknowledge && acks[incident.root] == nil && incident.since != nil,
                "since_micros": incident.since.map { String(Int64(($0.timeIntervalSince1970 * 1_000_000).rounded())) } ?? "",
            ]
        }
        page["silent"] = silent.prefix(10).map { row -> [String: Any] in
            [
                "id": row.externalID, "href": "/devices/\(PageContext.encode(row.externalID))", "name": row.name, "region": row.region,
                "last_seen": row.lastSeen.map { minutes($0) } ?? ConsoleCatalog.words(language)["never"] ?? "",
            ]
        }
        page["maintenance"] = windows.map { window -> [String: Any] in
            [
                "what": window.device ?? window.region ?? "–", "from": minutes(window.from), "to": minutes(window.to),
                "reason": window.reason,
            ]
        }
        page["newest"] = minutes(try await store.newestSeen(region: region))
        return renderer.page("overview", page)
    }

    /// An operator acknowledges an open incident from the overview.
    func acknowledge(_ context: PageContext, _ fields: [String: String]) async throws -> Response {
        guard let session = context.session, session.user.role.includes(.operator) else {
            return errorPage(context, status: .forbidden, key: "forbidden")
        }
        guard let device = fields["device"], let since = fields["since"].flatMap(Int64.init) else {
            return errorPage(context, status: .badRequest, key: "error")
        }
        let stored = try await IncidentAckStore(client: client, logger: logger).acknowledge(
            device: device, sinceMicros: since, by: session.user.name, note: fields["note"] ?? "", scope: session.user.region)
        if stored { logger.info("incident acknowledged", metadata: ["device": "\(device)", "user": "\(session.user.name)"]) }
        return Response(status: .seeOther, headers: [.location: stored ? "/?acknowledged=1" : "/?not_acknowledged=1"])
    }
}
