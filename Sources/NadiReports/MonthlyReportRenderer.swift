package import Foundation
package import NadiCore

/// The monthly report as one self-contained HTML page (inline CSS and SVG, nothing fetched) that
/// prints on A4, and as CSV in long form (one figure a row) for a spreadsheet's pivot table.
package enum MonthlyReportRenderer {
    /// `November 2026` / `November 2026`, `Mei 2026` / `May 2026`.
    package static func monthName(_ month: ReportMonth, _ language: MessageLanguage) -> String {
        let names =
            language == .en
            ? ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            : ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
        return "\(names[max(0, min(11, month.month - 1))]) \(month.year)"
    }

    package static func html(_ report: MonthlyReport, language: MessageLanguage, timeZone: TimeZone) -> String {
        let w = MonthlyReportWords(language)
        let t = ConsoleCatalog.words(language)
        let time = LocalTime(zone: timeZone)
        func local(_ date: Date) -> String { time.minutes(date) + " " + time.zoneName }
        let e: (String) -> String = { HTMLReport.escape($0) }
        let title = "\(w.title) — \(report.regionName)"
        var html = """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title)) — \(e(monthName(report.month, language)))</title>
            <style>\(HTMLReport.css)\(css)</style></head><body>
            <header><h1>\(e(title))</h1>
            <p class="meta"><b>\(e(monthName(report.month, language)))</b> · \(e(w.region)) \(e(report.region.rawValue)) ·
            \(e(w.period)) \(report.month.firstDay) – \(report.month.lastDay) (\(time.zoneName)) ·
            \(e(w.generated)) \(e(local(report.generatedAt)))</p></header>
            """
        // 1. Coverage against the masterplan, with the trajectory.
        html += "<section><h2>\(e(w.coverage)) <small>\(e(w.asOf)) \(report.coverage.asOf)</small></h2><div class=\"cards\">"
        for row in report.regionCoverage { html += HTMLReport.card(row, t, language) }
        html += "</div>"
        let areas = report.coverage.rows.filter { $0.region != report.region.rawValue }
        if !areas.isEmpty {
            html += "<table class=\"figures\"><tr><th>\(e(w.area))</th><th>\(e(w.kind))</th><th>\(e(w.metric))</th><th>\(e(w.target))</th>"
            html += "<th>\(e(w.installed))</th><th>\(e(w.operational))</th><th>\(e(w.achievement))</th></tr>"
            for row in areas {
                html += "<tr><td>\(e(row.name)) <small>\(e(row.region))</small></td><td>\(e(ConsoleCatalog.kind(row.kind, language)))</td>"
                html += "<td>\(e(metricName(row.metric, language)))</td>"
                html += "<td>\(row.target.map { Format.number($0) } ?? "-")</td><td>\(row.installed)</td><td>\(row.operational)</td>"
                html += "<td>\(Format.percent(row.achievementPct))</td></tr>"
            }
            html += "</table>"
        }
        if !report.trajectories.isEmpty {
            html += "<h3>\(e(w.trajectory))</h3><div class=\"charts\">"
            for trajectory in report.trajectories {
                html += "<figure><figcaption>\(e(ConsoleCatalog.kind(trajectory.kind, language)))</figcaption>"
                html += SVGChart.trajectory(trajectory, installedLabel: w.installed, operationalLabel: w.operational)
                html += "<p class=\"note\">\(e(TrajectoryRenderer.spoken(trajectory.projection, t)))</p></figure>"
            }
            html += "</div>"
        }
        html += "</section>"
        // 2. Uptime and SLA per kind and per area, with causes.
        html += "<section><h2>\(e(w.uptime))</h2><p class=\"note\">\(e(w.uptimeNote))</p>"
        html += uptimeTable(report.uptimeByKind.map { (ConsoleCatalog.kind($0.kind, language), $0.uptime) }, first: w.kind, w, language)
        html += "<h3>\(e(report.region.level == .province ? w.perRegency : w.perDistrict))</h3>"
        html += uptimeTable(report.uptimeByArea.map { ("\($0.name) (\($0.region))", $0) }, first: w.area, w, language)
        html += "</section>"
        // 3. The worst devices of the month.
        html += "<section><h2>\(e(w.worst))</h2>"
        if report.worst.isEmpty {
            html += "<p>\(e(w.none))</p>"
        } else {
            html +=
                "<table class=\"figures\"><tr><th>\(e(w.device))</th><th>\(e(w.kind))</th><th>\(e(w.area))</th><th>\(e(w.uptimeShort))</th>"
            html += "<th>SLA</th><th>\(e(w.incidents))</th><th>\(e(w.longest))</th></tr>"
            for item in report.worst {
                html += "<tr><td>\(e(item.uptime.device)) <small>\(e(item.name))</small></td>"
                html += "<td>\(e(ConsoleCatalog.kind(item.uptime.kind, language)))</td><td>\(e(item.uptime.region))</td>"
                html +=
                    "<td>\(Format.percent(item.uptime.uptimePct))</td><td>\(Format.percent(item.uptime.slaPct))</td><td>\(item.incidents)</td>"
                html += "<td>\(item.longestS > 0 ? e(DurationText.spoken(item.longestS, language: language)) : "-")</td></tr>"
            }
            html += "</table>"
        }
        html += "</section>"
        // 4. Schools with and without a working camera.
        html += schoolSection(report.schools, w, language)
        // 5. The month's retroactive maintenance windows.
        html += "<section><h2>\(e(w.retroactive))</h2><p class=\"note\">\(e(w.retroactiveNote))</p>"
        if report.retroactive.isEmpty {
            html += "<p>\(e(w.none))</p>"
        } else {
            html += "<table class=\"figures\"><tr><th>#</th><th>\(e(w.object))</th><th>\(e(w.span))</th><th>\(e(w.createdBy))</th>"
            html += "<th>\(e(w.createdAt))</th><th>\(e(w.reason))</th></tr>"
            for item in report.retroactive {
                html +=
                    "<tr><td>\(item.id)</td><td>\(e(item.target))</td><td>\(e(time.minutes(item.from))) – \(e(time.minutes(item.to)))</td>"
                html += "<td>\(e(item.createdBy))</td><td>\(e(local(item.createdAt)))</td><td>\(e(item.reason))</td></tr>"
            }
            html += "</table>"
        }
        html += "</section><footer>Nadi · \(e(w.footer)) · \(e(t["times_in"] ?? "")) \(time.zoneName)</footer></body></html>\n"
        return html
    }

    /// `unit`, `km`, `% sekolah` / `units`, `km`, `% of schools`.
    static func metricName(_ metric: TargetMetric, _ language: MessageLanguage) -> String {
        switch metric {
        case .units: language == .en ? "units" : "unit"
        case .km: "km"
        case .schoolsPct: language == .en ? "% of schools" : "% sekolah"
        }
    }

    static func uptimeTable(_ rows: [(String, RegionUptime)], first: String, _ w: MonthlyReportWords, _ language: MessageLanguage) -> String
    {
        let e: (String) -> String = { HTMLReport.escape($0) }
        guard !rows.isEmpty else { return "<p>\(e(w.none))</p>" }
        var html = "<table class=\"figures\"><tr><th>\(e(first))</th><th>\(e(w.devices))</th><th>\(e(w.uptimeShort))</th><th>SLA</th>"
        html += "<th>\(e(w.downOwn))</th><th>\(e(w.downUpstream))</th><th>\(e(w.maintenance))</th></tr>"
        for (label, row) in rows {
            func hours(_ seconds: Double) -> String { seconds > 0 ? DurationText.spoken(seconds, language: language) : "-" }
            html +=
                "<tr><td>\(e(label))</td><td>\(row.devices)</td><td>\(Format.percent(row.uptimePct))</td><td>\(Format.percent(row.slaPct))</td>"
            html += "<td>\(e(hours(row.downOwnS)))</td><td>\(e(hours(row.downUpstreamS)))</td><td>\(e(hours(row.maintenanceS)))</td></tr>"
        }
        return html + "</table>"
    }

    static func schoolSection(_ schools: [SchoolCCTV], _ w: MonthlyReportWords, _ language: MessageLanguage) -> String {
        let e: (String) -> String = { HTMLReport.escape($0) }
        var html = "<section><h2>\(e(w.schools))</h2>"
        guard !schools.isEmpty else { return html + "<p>\(e(w.none))</p></section>" }
        let covered = schools.filter(\.covered)
        let share = 100 * Double(covered.count) / Double(schools.count)
        html += "<p><b>\(covered.count)</b> \(e(w.of)) \(schools.count) \(e(w.schoolsWith)) (\(Format.percent(share))) · "
        html += "<b>\(schools.count - covered.count)</b> \(e(w.schoolsWithout)). <span class=\"note\">\(e(w.schoolsNote))</span></p>"
        html +=
            "<table class=\"figures\"><tr><th>\(e(w.area))</th><th>\(e(w.schoolsWithShort))</th><th>\(e(w.schoolsWithoutShort))</th></tr>"
        let byArea = Dictionary(grouping: schools, by: \.region)
        for area in byArea.keys.sorted() {
            guard let members = byArea[area], let first = members.first else { continue }
            let with = members.filter(\.covered).count
            html += "<tr><td>\(e(first.regionName)) <small>\(e(area))</small></td><td>\(with)</td><td>\(members.count - with)</td></tr>"
        }
        html += "</table>"
        let without = schools.filter { !$0.covered }.sorted { ($0.region, $0.name) < ($1.region, $1.name) }
        if !without.isEmpty {
            html +=
                "<h3>\(e(w.schoolsWithoutList))</h3><table class=\"figures\"><tr><th>NPSN</th><th>\(e(w.school))</th><th>\(e(w.area))</th>"
            html += "<th>\(e(w.cameras))</th></tr>"
            for school in without.prefix(300) {
                html += "<tr><td>\(e(school.npsn))</td><td>\(e(school.name))</td><td>\(e(school.regionName))</td>"
                html += "<td>\(school.cctvOperational)/\(school.cctvInstalled)</td></tr>"
            }
            html += "</table>"
            if without.count > 300 { html += "<p class=\"note\">\(e(w.andMore)) \(without.count - 300)</p>" }
        }
        return html + "</section>"
    }

    /// One figure a row: `month,section,region,region_name,kind,subject,measure,value`.
    package static func csv(_ report: MonthlyReport) -> String {
        var rows: [[String]] = []
        let month = report.month.description
        func add(_ section: String, _ region: String, _ name: String, _ kind: String, _ subject: String, _ measure: String, _ value: String)
        {
            rows.append([month, section, region, name, kind, subject, measure, value])
        }
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "" }
        for row in report.coverage.rows {
            let kind = row.kind.rawValue
            add("coverage", row.region, row.name, kind, row.metric.rawValue, "target", row.target.map { Format.number($0) } ?? "")
            add("coverage", row.region, row.name, kind, row.metric.rawValue, "installed", String(row.installed))
            add("coverage", row.region, row.name, kind, row.metric.rawValue, "operational", String(row.operational))
            add("coverage", row.region, row.name, kind, row.metric.rawValue, "achievement_pct", number(row.achievementPct))
        }
        func uptime(_ section: String, _ row: RegionUptime, kind: String) {
            add(section, row.region, row.name, kind, "", "devices", String(row.devices))
            add(section, row.region, row.name, kind, "", "uptime_pct", number(row.uptimePct))
            add(section, row.region, row.name, kind, "", "sla_pct", number(row.slaPct))
            add(section, row.region, row.name, kind, "", "down_own_s", String(Int(row.downOwnS.rounded())))
            add(section, row.region, row.name, kind, "", "down_upstream_s", String(Int(row.downUpstreamS.rounded())))
            add(section, row.region, row.name, kind, "", "maintenance_s", String(Int(row.maintenanceS.rounded())))
        }
        for (kind, row) in report.uptimeByKind { uptime("uptime_by_kind", row, kind: kind.rawValue) }
        for row in report.uptimeByArea { uptime("uptime_by_area", row, kind: "") }
        for item in report.worst {
            let row = item.uptime
            add("worst_device", row.region, "", row.kind.rawValue, row.device, "uptime_pct", number(row.uptimePct))
            add("worst_device", row.region, "", row.kind.rawValue, row.device, "sla_pct", number(row.slaPct))
            add("worst_device", row.region, "", row.kind.rawValue, row.device, "incidents", String(item.incidents))
            add("worst_device", row.region, "", row.kind.rawValue, row.device, "longest_s", String(Int(item.longestS.rounded())))
        }
        for school in report.schools {
            add("school", school.region, school.regionName, "cctv", school.npsn, "working_camera", school.covered ? "1" : "0")
        }
        for item in report.retroactive {
            add(
                "retroactive_window", report.region.rawValue, report.regionName, "", "#\(item.id) \(item.target)", "created_by",
                item.createdBy)
            add("retroactive_window", report.region.rawValue, report.regionName, "", "#\(item.id) \(item.target)", "reason", item.reason)
        }
        return CSVText.render(header: ["month", "section", "region", "region_name", "kind", "subject", "measure", "value"], rows: rows)
    }

    static let css = """
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:10px}figure{margin:0;break-inside:avoid}
        figcaption{font-weight:600}svg.trajectory .axis{stroke:#d0d7de}svg.trajectory .tick{font-size:10px;fill:#57606a}
        svg.trajectory polyline{fill:none;stroke-width:2}svg.trajectory .installed{stroke:#54aeff}svg.trajectory .operational{stroke:#2da44e}
        svg.trajectory .milestone{fill:#8250df}svg.trajectory .projection{stroke:#0969da;stroke-dasharray:5 4;stroke-width:2}
        table.figures{margin:6px 0 10px}table.figures td:not(:first-child),table.figures th:not(:first-child){text-align:right}
        tr{break-inside:avoid}
        """
}

/// The words of the monthly report, in Bahasa Indonesia or English.
struct MonthlyReportWords {
    let title, region, period, generated, coverage, asOf, area, kind, target, installed, operational, achievement: String
    let trajectory, uptime, uptimeNote, perRegency, perDistrict, worst, none, device, uptimeShort, incidents, longest: String
    let devices, downOwn, downUpstream, maintenance, schools, of, schoolsWith, schoolsWithout, schoolsNote: String
    let schoolsWithShort, schoolsWithoutShort, schoolsWithoutList, school, cameras, andMore: String
    let retroactive, retroactiveNote, object, span, createdBy, createdAt, reason, footer, metric: String

    init(_ language: MessageLanguage) {
        if language == .en {
            (title, region, period, generated) = ("Monthly smart-city report", "region", "period", "generated")
            (coverage, asOf, area, kind) = ("Coverage against the masterplan", "as of", "Area", "Kind")
            (target, installed, operational, achievement) = ("Target", "Installed", "Operational", "Achieved")
            (trajectory, uptime) = ("Rollout trajectory", "Uptime and SLA")
            uptimeNote =
                "Uptime: time operational ÷ time with a known state. SLA leaves out planned maintenance and time behind a failed upstream link."
            (perRegency, perDistrict, worst, none) = ("Per regency/city", "Per district (kecamatan)", "Worst devices of the month", "None.")
            (device, uptimeShort, incidents, longest) = ("Device", "Uptime", "Outages", "Longest")
            (devices, downOwn, downUpstream, maintenance) = ("Devices", "Down (own)", "Down (upstream)", "Maintenance")
            (schools, of, schoolsWith, schoolsWithout) = ("Schools and their cameras", "of", "schools have a working camera", "have none")
            schoolsNote = "As they stand when this report was generated."
            (schoolsWithShort, schoolsWithoutShort, schoolsWithoutList) = (
                "With a working camera", "Without", "Schools without a working camera"
            )
            (school, cameras, andMore) = ("School", "Cameras working/installed", "and more:")
            (retroactive, object, span) = ("Retroactive maintenance windows this month", "Object", "Window")
            retroactiveNote = "Windows created after the time they cover: each changed figures already reported, by whom and why."
            (createdBy, createdAt, reason) = ("Created by", "Created at", "Reason")
            footer = "figures from Nadi's state history; the audit trail (nadi audit) shows who changed what"
            metric = "Measure"
        } else {
            (title, region, period, generated) = ("Laporan bulanan smart city", "wilayah", "periode", "dibuat")
            (coverage, asOf, area, kind) = ("Cakupan terhadap masterplan", "per", "Wilayah", "Jenis")
            (target, installed, operational, achievement) = ("Target", "Terpasang", "Beroperasi", "Capaian")
            (trajectory, uptime) = ("Lintasan pembangunan", "Uptime dan SLA")
            uptimeNote =
                "Uptime: waktu beroperasi ÷ waktu berstatus diketahui. SLA tidak menghitung pemeliharaan terencana dan waktu mati karena link hulu."
            (perRegency, perDistrict, worst, none) = ("Per kabupaten/kota", "Per kecamatan", "Perangkat terburuk bulan ini", "Tidak ada.")
            (device, uptimeShort, incidents, longest) = ("Perangkat", "Uptime", "Gangguan", "Terlama")
            (devices, downOwn, downUpstream, maintenance) = ("Perangkat", "Mati (sendiri)", "Mati (hulu)", "Pemeliharaan")
            (schools, of, schoolsWith, schoolsWithout) = (
                "Sekolah dan kameranya", "dari", "sekolah memiliki kamera yang berfungsi", "tidak memiliki"
            )
            schoolsNote = "Keadaan saat laporan ini dibuat."
            (schoolsWithShort, schoolsWithoutShort, schoolsWithoutList) = (
                "Dengan kamera berfungsi", "Tanpa", "Sekolah tanpa kamera yang berfungsi"
            )
            (school, cameras, andMore) = ("Sekolah", "Kamera berfungsi/terpasang", "dan lainnya:")
            (retroactive, object, span) = ("Jendela pemeliharaan retroaktif bulan ini", "Objek", "Jendela")
            retroactiveNote =
                "Jendela yang dibuat setelah waktu yang dicakupnya: masing-masing mengubah angka yang sudah dilaporkan, oleh siapa dan mengapa."
            (createdBy, createdAt, reason) = ("Dibuat oleh", "Dibuat pada", "Alasan")
            footer = "angka dari riwayat status Nadi; jejak audit (nadi audit) menunjukkan siapa mengubah apa"
            metric = "Ukuran"
        }
    }
}
