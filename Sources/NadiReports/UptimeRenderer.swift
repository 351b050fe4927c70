package import NadiCore

/// `nadi uptime` as a table (people) or CSV (machines, stable columns). JSON is the rows themselves.
package enum UptimeRenderer {
    package static let deviceColumns = [
        "device", "kind", "region", "uptime_pct", "operational_s", "known_s", "status", "since", "down_own_s", "down_upstream_s",
        "maintenance_s", "sla_pct",
    ]
    package static let regionColumns = [
        "region", "name", "devices", "uptime_pct", "operational_s", "known_s", "down_own_s", "down_upstream_s", "maintenance_s", "sla_pct",
    ]

    package static func csv(_ rows: [DeviceUptime]) -> String {
        CSVText.render(
            header: deviceColumns,
            rows: rows.map {
                [
                    $0.device, $0.kind.rawValue, $0.region, $0.uptimePct.map { "\($0)" } ?? "", "\($0.operationalS)", "\($0.knownS)",
                    $0.status.rawValue, $0.since.map(Timestamp.format) ?? "", "\($0.downOwnS)", "\($0.downUpstreamS)", "\($0.maintenanceS)",
                    $0.slaPct.map { "\($0)" } ?? "",
                ]
            })
    }

    package static func table(_ rows: [DeviceUptime], colours: Bool) -> String {
        TextTable.render(
            header: ["DEVICE", "KIND", "REGION", "UPTIME", "SLA", "OPERATIONAL", "KNOWN", "UPSTREAM", "MAINT.", "STATUS", "SINCE (UTC)"],
            rows: rows.map {
                [
                    $0.device, $0.kind.rawValue, $0.region, Format.percent($0.uptimePct), Format.percent($0.slaPct),
                    duration($0.operationalS),
                    duration($0.knownS), duration($0.downUpstreamS), duration($0.maintenanceS), $0.status.rawValue,
                    $0.since.map { String(Timestamp.format($0).prefix(16)) } ?? "-",
                ]
            },
            rightAligned: [3, 4, 5, 6, 7, 8],
            colour: colours ? { column, cell in column == 9 ? StatusColour.code(cell) : nil } : nil)
    }

    package static func csv(_ rows: [RegionUptime]) -> String {
        CSVText.render(
            header: regionColumns,
            rows: rows.map {
                [
                    $0.region, $0.name, String($0.devices), $0.uptimePct.map { "\($0)" } ?? "", "\($0.operationalS)", "\($0.knownS)",
                    "\($0.downOwnS)", "\($0.downUpstreamS)", "\($0.maintenanceS)", $0.slaPct.map { "\($0)" } ?? "",
                ]
            })
    }

    package static func table(_ rows: [RegionUptime]) -> String {
        TextTable.render(
            header: ["REGION", "NAME", "DEVICES", "UPTIME", "SLA", "OPERATIONAL", "KNOWN", "UPSTREAM", "MAINT."],
            rows: rows.map {
                [
                    $0.region, $0.name, String($0.devices), Format.percent($0.uptimePct), Format.percent($0.slaPct),
                    duration($0.operationalS),
                    duration($0.knownS), duration($0.downUpstreamS), duration($0.maintenanceS),
                ]
            },
            rightAligned: [2, 3, 4, 5, 6, 7, 8])
    }

    /// `3d 4h`, `5h 12m`, `12m 30s`.
    package static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total >= 86_400 { return "\(total / 86_400)d \((total % 86_400) / 3600)h" }
        if total >= 3600 { return "\(total / 3600)h \((total % 3600) / 60)m" }
        return "\(total / 60)m \(total % 60)s"
    }
}
