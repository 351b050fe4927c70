import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

/// One row of the device list, as the page and its CSV show it.
struct DeviceListRow {
    var device: DeviceStateRow
    var cause: Cause?
    var root: String?
}

extension ConsoleController {
    /// The devices matching the page's filters (region, kind, state, cause, text), sorted, capped.
    func filteredDevices(_ context: PageContext) async throws -> (rows: [DeviceListRow], matched: Int) {
        let (region, allowed) = context.region(ceiling: context.session?.user.region)
        guard allowed else { throw PageNotFound() }
        let kind = context.parameter("kind").flatMap(DeviceKind.init(rawValue:))
        let status = context.parameter("state").flatMap(DeviceStatus.init(rawValue:))
        let cause = context.parameter("cause").flatMap(Cause.init(rawValue:))
        let text = context.parameter("q")?.lowercased()
        let devices = try await DeviceStateStore(client: client, logger: logger).list(
            DeviceFilter(region: region, kind: kind, status: status))
        let causes = try await IncidentQuery(client: client, logger: logger).currentCauses(region: region)
        var rows = devices.map { DeviceListRow(device: $0, cause: causes[$0.externalID]?.cause, root: causes[$0.externalID]?.root) }
        if let cause { rows = rows.filter { $0.cause == cause } }
        if let text {
            rows = rows.filter { $0.device.externalID.lowercased().contains(text) || $0.device.name.lowercased().contains(text) }
        }
        let descending = context.parameter("dir") == "desc"
        switch context.parameter("sort") ?? "id" {
        case "name": rows.sort { $0.device.name.localizedStandardCompare($1.device.name) == .orderedAscending }
        case "region": rows.sort { ($0.device.region, $0.device.externalID) < ($1.device.region, $1.device.externalID) }
        case "state": rows.sort { ($0.device.status, $0.device.externalID) < ($1.device.status, $1.device.externalID) }
        case "since": rows.sort { ($0.device.since ?? .distantPast) < ($1.device.since ?? .distantPast) }
        case "last_seen": rows.sort { ($0.device.lastSeen ?? .distantPast) < ($1.device.lastSeen ?? .distantPast) }
        default: rows.sort { $0.device.externalID < $1.device.externalID }
        }
        if descending { rows.reverse() }
        return (Array(rows.prefix(configuration.deviceRowLimit)), rows.count)
    }

    /// Rows on one page of the device list.
    static let devicesPerPage = 200

    /// Perangkat: the filtered, sortable list, 200 rows a page, with a CSV of every row the
    /// filter matches in the same order.
    func devices(_ context: PageContext) async throws -> Response {
        let (all, matched) = try await filteredDevices(context)
        let language = context.language
        let pages = max(1, (all.count + Self.devicesPerPage - 1) / Self.devicesPerPage)
        let pageNumber = min(max(Int(context.parameter("page") ?? "") ?? 1, 1), pages)
        let rows = all.dropFirst((pageNumber - 1) * Self.devicesPerPage).prefix(Self.devicesPerPage)
        var page = common(context, title: "nav_devices", active: "/devices")
        page["first_row"] = rows.isEmpty ? 0 : (pageNumber - 1) * Self.devicesPerPage + 1
        page["last_row"] = (pageNumber - 1) * Self.devicesPerPage + rows.count
        if pageNumber > 1 { page["prev_url"] = context.url(["page": String(pageNumber - 1)]) }
        if pageNumber < pages { page["next_url"] = context.url(["page": String(pageNumber + 1)]) }
        page["rows"] = rows.map { row -> [String: Any] in
            let device = row.device
            return [
                "id": device.externalID, "href": "/devices/\(PageContext.encode(device.externalID))", "name": device.name,
                "kind": DeviceKind(rawValue: device.kind).map { ConsoleCatalog.kind($0, language) } ?? device.kind,
                "region": device.region, "status": device.status, "status_label": ConsoleCatalog.status(device.status, language),
                "cause": row.cause.map { ConsoleCatalog.cause($0, language) } ?? "", "root": row.root ?? "",
                "since": minutes(device.since), "last_seen": minutes(device.lastSeen),
            ]
        }
        page["matched"] = matched
        page["capped"] = matched > all.count
        page["empty"] = rows.isEmpty
        page["q"] = context.parameter("q") ?? ""
        page["region_value"] = context.parameter("region") ?? ""
        page["csv_url"] = context.url(["page": nil], path: "/devices.csv")
        page["kinds"] =
            [["value": "", "label": ConsoleCatalog.words(language)["all"] ?? "", "selected": context.parameter("kind") == nil]]
            + DeviceKind.allCases.map {
                ["value": $0.rawValue, "label": ConsoleCatalog.kind($0, language), "selected": context.parameter("kind") == $0.rawValue]
            }
        page["states"] =
            [["value": "", "label": ConsoleCatalog.words(language)["all"] ?? "", "selected": context.parameter("state") == nil]]
            + ["up", "degraded", "down", "unknown"].map {
                ["value": $0, "label": ConsoleCatalog.status($0, language), "selected": context.parameter("state") == $0]
            }
        page["causes"] =
            [["value": "", "label": ConsoleCatalog.words(language)["all"] ?? "", "selected": context.parameter("cause") == nil]]
            + [Cause.own, .upstream, .maintenance].map {
                ["value": $0.rawValue, "label": ConsoleCatalog.cause($0, language), "selected": context.parameter("cause") == $0.rawValue]
            }
        page["sorts"] = ["id", "name", "region", "state", "since", "last_seen"].map { key -> [String: Any] in
            let active = (context.parameter("sort") ?? "id") == key
            let nextDir = active && context.parameter("dir") != "desc" ? "desc" : "asc"
            return ["key": key, "href": context.url(["sort": key, "dir": nextDir, "page": nil]), "active": active]
        }
        return renderer.page("devices", page)
    }

    /// The device list as CSV: the same filters and order, every matching row (all pages).
    func devicesCSV(_ context: PageContext) async throws -> Response {
        let (rows, _) = try await filteredDevices(context)
        // Times as the JSON API gives them (RFC 3339, UTC), formatted by hand: Foundation's
        // ISO8601DateFormatter took most of a province's 50,000-row download.
        let text = CSVText.render(
            header: ["id", "name", "kind", "region", "status", "reason", "cause", "root", "since", "last_seen"],
            rows: rows.map { row in
                let device = row.device
                return [
                    device.externalID, device.name, device.kind, device.region, device.status, device.reason ?? "",
                    row.cause?.rawValue ?? "", row.root ?? "", device.since.map(Timestamp.format) ?? "",
                    device.lastSeen.map(Timestamp.format) ?? "",
                ]
            })
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"nadi-devices.csv\"",
                .cacheControl: "no-store",
            ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
