package import Foundation
package import NadiCore

/// One self-contained HTML page (inline CSS and SVG, nothing fetched): coverage against the
/// masterplan per region and kind, the next milestones, a school-coverage panel, the as-of date and
/// the data's freshness. Readable on a phone; prints on A4.
package enum HTMLReport {
    package struct Input: Sendable {
        package var title: String
        package var coverage: CoverageReport
        package var schools: [SchoolCCTV]
        /// The newest ping in the database, if any.
        package var newestPing: Date?
        package var generatedAt: Date
        /// Incidents open when the report was made (largest first).
        package var incidents: [Incident]

        /// The report's language (the console's catalog) and the zone its times are in.
        package var language: MessageLanguage
        package var timeZone: TimeZone

        package init(
            title: String, coverage: CoverageReport, schools: [SchoolCCTV], newestPing: Date?, generatedAt: Date = Date(),
            incidents: [Incident] = [], language: MessageLanguage = .id, timeZone: TimeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        ) {
            self.language = language
            self.timeZone = timeZone
            self.incidents = incidents
            self.title = title
            self.coverage = coverage
            self.schools = schools
            self.newestPing = newestPing
            self.generatedAt = generatedAt
        }
    }

    package static func render(_ input: Input) -> String {
        let t = ConsoleCatalog.words(input.language)
        let time = LocalTime(zone: input.timeZone)
        func local(_ date: Date) -> String { time.minutes(date) + " " + time.zoneName }
        var html = """
            <!DOCTYPE html>
            <html lang="\(input.language.rawValue)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(input.title))</title>
            <style>\(css)</style></head><body>
            <header><h1>\(escape(input.title))</h1>
            <p class="meta">\(escape(t["report_as_of"] ?? "")) <b>\(input.coverage.asOf)</b> \(escape(t["report_against"] ?? "")) \(input.coverage.year) ·
            \(escape(t["newest_ping"] ?? "")): <b>\(input.newestPing.map { escape(local($0)) } ?? escape(t["never"] ?? ""))</b> ·
            \(escape(t["report_generated"] ?? "")) \(escape(local(input.generatedAt)))</p>
            <p class="legend"><span class="k target"></span>\(escape(t["target"] ?? "")) <span class="k installed"></span>\(escape(t["installed"] ?? ""))
            <span class="k operational"></span>\(escape(t["operational"] ?? ""))</p></header>
            """
        html += incidentPanel(input.incidents, t, input.language, local)
        let byRegion = Dictionary(grouping: input.coverage.rows, by: \.region)
        for (position, region) in byRegion.keys.sorted().enumerated() {
            // The school panel follows the top region's summary, before the per-kecamatan detail.
            if position == 1 { html += schoolPanel(input.schools, t) }
            guard let rows = byRegion[region], let first = rows.first else { continue }
            let depth = RegionCode(region).map { $0.level.depth } ?? 1
            html +=
                "<section class=\"region depth\(depth)\"><h2>\(escape(first.name)) <small>\(escape(region)) · \(escape(first.level))</small></h2><div class=\"cards\">"
            for row in rows { html += card(row, t, input.language) }
            html += "</div></section>"
        }
        if byRegion.count <= 1 { html += schoolPanel(input.schools, t) }
        html +=
            "<footer>Nadi · \(escape(t["report_sources"] ?? "")) · \(escape(t["times_in"] ?? "")) \(time.zoneName)</footer></body></html>\n"
        return html
    }

    static func card(_ row: CoverageRow, _ t: [String: String], _ language: MessageLanguage) -> String {
        let unit = row.metric == .schoolsPct ? "%" : row.metric == .km ? " km" : ""
        let installedValue: Double? = row.metric == .units ? Double(row.installed) : nil
        let values = [row.target, installedValue, row.achieved].compactMap { $0 }
        let scale = max(values.max() ?? 1, 1)
        func bar(_ y: Int, _ value: Double?, _ cls: String, _ label: String) -> String {
            guard let value else { return "" }
            let width = max(0.5, 240 * value / scale)
            return """
                <rect x="70" y="\(y)" width="\(String(format: "%.1f", width))" height="12" class="\(cls)"/>\
                <text x="0" y="\(y + 10)">\(label)</text><text x="\(String(format: "%.1f", 74 + width))" y="\(y + 10)">\(escape(Format.number(value) + unit))</text>
                """
        }
        let svg = """
            <svg viewBox="0 0 360 52" role="img" aria-label="\(escape(row.kind.rawValue)) \(escape(row.metric.rawValue))">\
            \(bar(0, row.target, "target", escape(t["target"] ?? "")))\(bar(18, installedValue, "installed", escape(t["installed"] ?? "")))\(bar(36, row.achieved, "operational", escape(t["achievement"] ?? "")))</svg>
            """
        let next =
            row.nextMilestone.map { "\(t["next_milestone"] ?? "") \($0.year): \(Format.number($0.value))\(unit)" }
            ?? (t["no_milestone"] ?? "")
        return """
            <div class="card \(row.status.rawValue)"><h3>\(escape(ConsoleCatalog.kind(row.kind, language))) <small>\(escape(row.metric.rawValue))</small>
            <span class="status">\(escape(t["status_" + row.status.rawValue] ?? row.status.rawValue))\(row.achievementPct.map { " · " + Format.percent($0) } ?? "")</span></h3>
            \(svg)<p>\(row.installed) \(escape(t["installed"] ?? "")) · \(row.operational) \(escape(t["operational"] ?? "")) · \(escape(next))</p></div>
            """
    }

    static func schoolPanel(_ schools: [SchoolCCTV], _ t: [String: String]) -> String {
        guard !schools.isEmpty else { return "" }
        let covered = schools.filter(\.covered).count
        var html = """
            <section class="schools"><h2>\(escape(t["report_schools"] ?? "")) <small>\(covered) \(escape(t["of"] ?? "")) \(schools.count) (\(Format.percent(100 * Double(covered) / Double(schools.count))))</small></h2>
            <div class="split"><div><h3>\(escape(t["kecamatan"] ?? ""))</h3><table><tr><th>\(escape(t["kecamatan"] ?? ""))</th><th>\(escape(t["covered"] ?? ""))</th><th>\(escape(t["coverage_pct"] ?? ""))</th></tr>
            """
        let groups = Dictionary(grouping: schools, by: \.region)
        for region in groups.keys.sorted() {
            guard let members = groups[region], let first = members.first else { continue }
            let share = 100 * Double(members.filter(\.covered).count) / Double(members.count)
            html += """
                <tr><td>\(escape(first.regionName)) <small>\(escape(region))</small></td><td>\(members.filter(\.covered).count)/\(members.count)</td>\
                <td><svg viewBox="0 0 100 10" class="share"><rect width="100" height="10" class="none"/><rect width="\(String(format: "%.1f", share))" height="10" class="covered"/></svg> \(Format.percent(share))</td></tr>
                """
        }
        html +=
            "</table></div><div><h3>\(escape(t["map"] ?? "")) <small>\(escape(t["map_covered"] ?? "")) · \(escape(t["map_broken"] ?? "")) · \(escape(t["map_none"] ?? ""))</small></h3>"
        html += scatter(schools)
        html += "</div></div></section>"
        return html
    }

    /// Open incidents: each root that is down, with its cause and how many devices are down because of it.
    static func incidentPanel(_ incidents: [Incident], _ t: [String: String], _ language: MessageLanguage, _ local: (Date) -> String)
        -> String
    {
        let title = escape(t["open_incidents"] ?? "")
        guard !incidents.isEmpty else {
            return "<section class=\"incidents\"><h2>\(title) <small>\(escape(t["none"] ?? ""))</small></h2></section>"
        }
        var html = "<section class=\"incidents\"><h2>\(title) <small>\(incidents.count)</small></h2><table>"
        html +=
            "<tr>" + ["root", "kind", "region", "since", "cause", "dependents_down"].map { "<th>\(escape(t[$0] ?? ""))</th>" }.joined()
            + "</tr>"
        for incident in incidents {
            let since = incident.since.map(local) ?? "–"
            html +=
                "<tr><td>\(escape(incident.root)) <small>\(escape(incident.name))</small></td><td>\(escape(incident.kind))</td><td>\(escape(incident.region))</td>"
                + "<td>\(escape(since))</td><td>\(escape(ConsoleCatalog.cause(incident.cause, language)))</td><td class=\"num\">\(incident.dependentsDown)</td></tr>"
        }
        return html + "</table></section>"
    }

    /// The school map: one dot per school with coordinates (covered, camera down, no camera).
    package static func scatter(_ schools: [SchoolCCTV]) -> String {
        let placed = schools.compactMap { school -> (Double, Double, String)? in
            guard let lat = school.lat, let lon = school.lon else { return nil }
            let cls = school.covered ? "covered" : school.cctvInstalled > 0 ? "broken" : "none"
            return (lon, lat, cls)
        }
        guard let minLon = placed.map(\.0).min(), let maxLon = placed.map(\.0).max(), let minLat = placed.map(\.1).min(),
            let maxLat = placed.map(\.1).max()
        else { return "<p>No school has coordinates.</p>" }
        let spanLon = max(maxLon - minLon, 0.001)
        let spanLat = max(maxLat - minLat, 0.001)
        let height = max(120, min(400, Int(400 * spanLat / spanLon)))
        var svg =
            "<svg viewBox=\"0 0 400 \(height)\" class=\"map\" role=\"img\" aria-label=\"schools by location\"><rect width=\"400\" height=\"\(height)\" class=\"bg\"/>"
        // Draw the uncovered on top so gaps stand out.
        for (lon, lat, cls) in placed.sorted(by: { $0.2 == "covered" && $1.2 != "covered" }) {
            let x = 5 + 390 * (lon - minLon) / spanLon
            let y = 5 + Double(height - 10) * (maxLat - lat) / spanLat
            svg += "<circle cx=\"\(String(format: "%.1f", x))\" cy=\"\(String(format: "%.1f", y))\" r=\"2.6\" class=\"\(cls)\"/>"
        }
        let left = schools.count - placed.count
        return svg + "</svg>" + (left > 0 ? "<p class=\"note\">\(left) schools have no coordinates and are not on the map.</p>" : "")
    }

    /// `text` with & < > " ' escaped for HTML.
    package static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let css = """
        :root{--met:#1a7f37;--behind:#b35900;--none:#6e7781;--ink:#1f2328}
        *{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:16px}
        h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.15em;margin:18px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        h3{font-size:1em;margin:0 0 6px}small{color:#57606a;font-weight:normal}.meta,.legend{margin:2px 0;color:#57606a}
        .k{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
        .k.target,rect.target{fill:#c8d1da;background:#c8d1da}.k.installed,rect.installed{fill:#54aeff;background:#54aeff}
        .k.operational,rect.operational{fill:#2da44e;background:#2da44e}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}
        .card{border:1px solid #d0d7de;border-left:6px solid var(--none);border-radius:6px;padding:8px 10px;break-inside:avoid;page-break-inside:avoid}
        .card.met{border-left-color:var(--met)}.card.behind{border-left-color:var(--behind)}
        .card .status{float:right;font-size:.85em;font-weight:600}.card.met .status{color:var(--met)}.card.behind .status{color:var(--behind)}
        .card.no_target .status{color:var(--none)}.card p{margin:4px 0 0;font-size:.85em;color:#57606a}
        svg{width:100%;height:auto;display:block}svg text{font-size:10px;fill:var(--ink)}
        .region.depth3 .cards{grid-template-columns:repeat(auto-fill,minmax(240px,1fr))}
        .split{display:grid;grid-template-columns:1fr 1fr;gap:16px}table{border-collapse:collapse;width:100%;font-size:.9em}
        td,th{text-align:left;padding:3px 6px;border-bottom:1px solid #eaeef2}svg.share{display:inline-block;width:90px;vertical-align:middle}
        rect.none,circle.none{fill:#afb8c1}rect.covered,circle.covered{fill:#2da44e}circle.broken{fill:#cf222e}rect.bg{fill:#f6f8fa}
        .map{border:1px solid #d0d7de;border-radius:6px}.note{font-size:.85em;color:#57606a}
        footer{margin-top:24px;font-size:.8em;color:#57606a}
        @media (max-width:700px){.split{grid-template-columns:1fr}body{padding:10px}}
        @media print{@page{size:A4;margin:12mm}body{max-width:none;padding:0;font-size:11px}.cards{grid-template-columns:repeat(2,1fr)}
        .split{grid-template-columns:1fr 1fr}section{break-inside:auto}h2{break-after:avoid}}
        """
}
