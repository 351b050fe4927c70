import Foundation
import Hummingbird
import NadiCore
import NadiReports
import NadiStore

extension ConsoleController {
    /// The windows the device page offers.
    static let windows: [(key: String, seconds: TimeInterval)] = [("24h", 86_400), ("7d", 7 * 86_400), ("30d", 30 * 86_400)]

    /// A device: state, timeline over the chosen window, uptime and SLA, last pings with a
    /// sparkline of one metric, its upstream chain and direct dependents.
    /// With `problem`, the page answers a refused maintenance form (422) and says why.
    func device(_ id: String, _ request: PageContext, problem: ConsoleProblem? = nil) async throws -> Response {
        let context = problem == nil ? request : request.answering(for: "/devices/\(PageContext.encode(id))")
        let language = context.language
        let words = ConsoleCatalog.words(language)
        let store = DeviceStateStore(client: client, logger: logger)
        guard let device = try await store.device(id, within: context.session?.user.region) else { throw PageNotFound() }
        let now = Date()
        let windowKey = Self.windows.first { $0.key == context.parameter("window") } ?? Self.windows[0]
        let window = now.addingTimeInterval(-windowKey.seconds)..<now
        let history = DeviceHistoryStore(client: client, logger: logger)
        let runs = try await history.intervals(rowID: device.rowID, window: window)
        let pings = try await history.recentPings(rowID: device.rowID, limit: 50)
        let kind = DeviceKind(rawValue: device.kind)
        let uptime = try await UptimeQuery(client: client, logger: logger).byDevice(
            region: RegionCode(device.region), kind: kind, device: device.externalID, window: window, timeZone: configuration.timeZone,
            now: now
        ).first
        let downCauses = try await history.downCauses(rowID: device.rowID, window: window, now: now)
        let maintenance = try await MaintenanceStore(client: client, logger: logger).list(
            scope: context.session?.user.region, region: nil, activeAt: nil)
        let covering = maintenance.filter { item in
            guard item.to > window.lowerBound, item.from < window.upperBound else { return false }
            if let target = item.device { return target == device.externalID }
            guard let region = item.region.flatMap(RegionCode.init), let own = RegionCode(device.region) else { return false }
            return own.isWithin(region) && (item.kind == nil || item.kind == device.kind)
        }
        let causes = try await IncidentQuery(client: client, logger: logger).currentCauses(region: RegionCode(device.region))
        let metricNames = Array(Set(pings.flatMap(\.metrics.keys))).sorted()
        let metric = context.parameter("metric").flatMap { metricNames.contains($0) ? $0 : nil } ?? metricNames.first
        var page = common(context, title: "nav_devices", active: "/devices")
        page["title"] = device.externalID + " — " + device.name
        page["device"] = [
            "id": device.externalID, "name": device.name, "region": device.region, "site": device.site ?? "",
            "kind": kind.map { ConsoleCatalog.kind($0, language) } ?? device.kind, "status": device.status,
            "status_label": ConsoleCatalog.status(device.status, language), "reason": ConsoleCatalog.reason(device.reason, language),
            "since": minutes(device.since), "last_seen": minutes(device.lastSeen), "installed": device.installed,
            "interval": device.intervalSeconds,
            "cause": causes[device.externalID].map { ConsoleCatalog.cause($0.cause, language) } ?? "",
            "root": causes[device.externalID].map { $0.root == device.externalID ? "" : $0.root } ?? "",
        ]
        page["windows"] = Self.windows.map { item -> [String: Any] in
            ["key": item.key, "href": context.url(["window": item.key]), "active": item.key == windowKey.key]
        }
        page["timeline"] = SVGChart.timeline(
            runs: runs, downCauses: downCauses, maintenance: covering.map { $0.from..<$0.to }, window: window, now: now,
            label: words["timeline"] ?? "", causeLabel: { ConsoleCatalog.cause($0, language) })
        page["window_from"] = minutes(window.lowerBound)
        page["window_to"] = minutes(window.upperBound)
        page["uptime"] = Format.percent(uptime?.uptimePct)
        page["sla"] = Format.percent(uptime?.slaPct)
        page["pings"] = pings.prefix(20).map { ping -> [String: Any] in
            [
                "at": minutes(ping.at), "status": ping.status, "status_label": ConsoleCatalog.status(ping.status, language),
                "latency": ping.latencyMs.map { Format.number(Double($0)) } ?? "", "reason": ConsoleCatalog.reason(ping.reason, language),
                "metrics": ping.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(Format.number($0.value))" }.joined(separator: " "),
            ]
        }
        page["metric_names"] = metricNames.map { name -> [String: Any] in
            ["name": name, "href": context.url(["metric": name]), "active": name == metric]
        }
        if let metric {
            let values = pings.reversed().compactMap { ping in ping.metrics[metric].map { (ping.at, $0) } }
            page["sparkline"] = SVGChart.sparkline(values, label: metric)
            page["metric"] = metric
        }
        let scope = context.session?.user.region
        page["upstream"] = try await history.upstreamChain(rowID: device.rowID).map { neighbour(for: $0, language, scope: scope) }
        page["dependents"] = try await history.directDependents(rowID: device.rowID, limit: 100).map {
            neighbour(for: $0, language, scope: scope)
        }
        page["dependents_total"] = try await store.dependents(rowID: device.rowID)
        page["can_plan"] = context.session?.user.role.includes(.operator) ?? false
        if context.session?.user.role.includes(.operator) == true {
            var filter = AuditFilter()
            filter.objectType = "device"
            filter.objectID = device.externalID
            filter.limit = 20
            let events = try await AuditStore(client: client, logger: logger).events(filter)
            page["history"] = auditRows(events, context)
            page["has_history"] = !events.isEmpty
            page["can_see_history"] = true
            page["history_href"] = "/riwayat?object=device:\(PageContext.encode(device.externalID))"
        }
        page["saved"] = context.parameter("saved") != nil
        page["problem"] = problem?.text(language) ?? ""
        return renderer.page("device", page, status: problem == nil ? .ok : .unprocessableContent)
    }

    /// A neighbour in the upstream tree; one outside the reader's region is shown as such, without
    /// its id, name or state.
    func neighbour(for device: DeviceNeighbour, _ language: MessageLanguage, scope: RegionCode?) -> [String: Any] {
        if let scope, !(RegionCode(device.region)?.isWithin(scope) ?? false) {
            return ["outside": true, "label": ConsoleCatalog.words(language)["outside_region"] ?? "outside_region"]
        }
        return [
            "id": device.externalID, "href": "/devices/\(PageContext.encode(device.externalID))", "name": device.name,
            "status": device.status, "status_label": ConsoleCatalog.status(device.status, language),
        ]
    }

    /// An operator plans maintenance for a device from its page.
    func addMaintenance(_ context: PageContext, _ fields: [String: String]) async throws -> Response {
        guard let session = context.session, session.user.role.includes(.operator) else {
            return errorPage(context, status: .forbidden, key: "forbidden")
        }
        let device = fields["device"] ?? ""
        let back = "/devices/\(PageContext.encode(device))"
        let parsed = MaintenanceRequest.parse(
            device: device, region: nil, kind: nil, from: fields["from"] ?? "", to: fields["to"] ?? "", reason: fields["reason"] ?? "",
            timeZone: configuration.timeZone)
        switch parsed {
        case .failure(let problem):
            return try await self.device(device, context, problem: ConsoleProblem(problem.code.rawValue))
        case .success(let request):
            do {
                _ = try await MaintenanceStore(client: client, logger: logger).add(
                    request, scope: session.user.region, createdBy: "console:" + session.user.name, mayBackdate: session.user.role == .admin
                )
            } catch let refused as MaintenanceRefused {
                return try await self.device(device, context, problem: ConsoleProblem(refused.code.rawValue))
            } catch let forbidden as MaintenanceForbidden {
                return try await self.device(device, context, problem: ConsoleProblem(forbidden.code.rawValue))
            }
            return Response(status: .seeOther, headers: [.location: back + "?saved=1"])
        }
    }
}
