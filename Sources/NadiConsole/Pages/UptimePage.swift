import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// Uptime by region (the level below the chosen one) and by device, lowest first, over a
    /// window: availability and SLA side by side.
    func uptime(_ context: PageContext) async throws -> Response {
        let (region, allowed) = context.region(ceiling: context.session?.user.region)
        guard allowed else { throw PageNotFound() }
        let language = context.language
        let now = Date()
        let windowKey = Self.windows.first { $0.key == context.parameter("window") } ?? Self.windows[1]
        let window = now.addingTimeInterval(-windowKey.seconds)..<now
        let kind = context.parameter("kind").flatMap(DeviceKind.init(rawValue:))
        let query = UptimeQuery(client: client, logger: logger)
        let depth = region.flatMap { code in RegionLevel.allCases.first { $0.depth == code.level.depth + 1 } } ?? .province
        let summary = try await query.summary(
            region: region, depth: min(depth, .district), kind: kind, window: window, timeZone: configuration.timeZone, now: now,
            lowest: 50)
        let regions = summary.regions
        let devices = summary.lowest
        var page = common(context, title: "nav_uptime", active: "/uptime")
        page["windows"] = Self.windows.map { item -> [String: Any] in
            ["key": item.key, "href": context.url(["window": item.key]), "active": item.key == windowKey.key]
        }
        page["regions"] = regions.map { row -> [String: Any] in
            [
                "code": row.region, "name": row.name, "href": context.url(["region": row.region]), "devices": row.devices,
                "uptime": Format.percent(row.uptimePct), "sla": Format.percent(row.slaPct),
                "own": DurationText.spoken(row.downOwnS, language: language),
                "upstream": DurationText.spoken(row.downUpstreamS, language: language),
                "maintenance": DurationText.spoken(row.maintenanceS, language: language),
            ]
        }
        page["devices"] = devices.map { row -> [String: Any] in
            [
                "id": row.device, "href": "/devices/\(PageContext.encode(row.device))?window=\(windowKey.key)",
                "kind": ConsoleCatalog.kind(row.kind, language), "region": row.region, "uptime": Format.percent(row.uptimePct),
                "sla": Format.percent(row.slaPct), "status_label": ConsoleCatalog.status(row.status.rawValue, language),
                "status": row.status.rawValue,
            ]
        }
        let retroactive = try await MaintenanceStore(client: client, logger: logger).retroactive(
            scope: context.session?.user.region, region: region, kind: kind, overlapping: window)
        page["retroactive"] = retroactive.map { item -> [String: Any] in
            [
                "id": item.id, "target": item.device ?? ((item.region ?? "") + (item.kind.map { " (\($0))" } ?? "")),
                "span": "\(minutes(item.from)) – \(minutes(item.to))", "created": minutes(item.createdAt), "by": item.createdBy,
                "reason": item.reason,
            ]
        }
        page["has_retroactive"] = !retroactive.isEmpty
        page["window_from"] = minutes(window.lowerBound)
        page["window_to"] = minutes(window.upperBound)
        return renderer.page("uptime", page)
    }
}
