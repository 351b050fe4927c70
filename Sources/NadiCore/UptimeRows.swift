package import Foundation

/// One row of `nadi uptime --by device`.
package struct DeviceUptime: Encodable, Sendable, Equatable, UptimeFigures {
    package var device: String
    package var kind: DeviceKind
    package var region: String
    package var uptimePct: Double?
    package var operationalS: Double
    package var knownS: Double
    package var status: DeviceStatus
    package var since: Date?
    /// Down time by cause (DESIGN.md): the device's own, its upstream's, planned maintenance.
    package var downOwnS: Double
    package var downUpstreamS: Double
    package var maintenanceS: Double
    /// operational ÷ (known − maintenance − upstream).
    package var slaPct: Double?

    package init(
        device: String, kind: DeviceKind, region: String, uptimePct: Double?, operationalS: Double, knownS: Double, status: DeviceStatus,
        since: Date?
    ) {
        self.downOwnS = knownS - operationalS
        self.downUpstreamS = 0
        self.maintenanceS = 0
        self.slaPct = uptimePct
        self.device = device
        self.kind = kind
        self.region = region
        self.uptimePct = uptimePct
        self.operationalS = operationalS
        self.knownS = knownS
        self.status = status
        self.since = since
    }

    enum CodingKeys: String, CodingKey {
        case device, kind, region, status, since
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(kind, forKey: .kind)
        try container.encode(region, forKey: .region)
        try encodeFigures(to: encoder)
        try container.encode(status, forKey: .status)
        try container.encode(since.map(Timestamp.format), forKey: .since)
    }
}

/// One row of `nadi uptime --by region`: time-weighted over the region's devices.
package struct RegionUptime: Encodable, Sendable, Equatable, UptimeFigures {
    package var region: String
    package var name: String
    package var devices: Int
    package var uptimePct: Double?
    package var operationalS: Double
    package var knownS: Double

    package var downOwnS: Double = 0
    package var downUpstreamS: Double = 0
    package var maintenanceS: Double = 0
    package var slaPct: Double?

    package init(region: String, name: String, devices: Int, uptimePct: Double?, operationalS: Double, knownS: Double) {
        self.region = region
        self.name = name
        self.devices = devices
        self.uptimePct = uptimePct
        self.operationalS = operationalS
        self.knownS = knownS
    }

    enum CodingKeys: String, CodingKey {
        case region, name, devices
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(region, forKey: .region)
        try container.encode(name, forKey: .name)
        try container.encode(devices, forKey: .devices)
        try encodeFigures(to: encoder)
    }
}

/// The figures a device's and a region's uptime rows share, under the same JSON keys.
package protocol UptimeFigures {
    var uptimePct: Double? { get }
    var operationalS: Double { get }
    var knownS: Double { get }
    var downOwnS: Double { get }
    var downUpstreamS: Double { get }
    var maintenanceS: Double { get }
    var slaPct: Double? { get }
}

/// The JSON keys of ``UptimeFigures``.
enum UptimeFigureKeys: String, CodingKey {
    case uptimePct = "uptime_pct"
    case operationalS = "operational_s"
    case knownS = "known_s"
    case downOwnS = "down_own_s"
    case downUpstreamS = "down_upstream_s"
    case maintenanceS = "maintenance_s"
    case slaPct = "sla_pct"
}

extension UptimeFigures {
    /// Writes the figures into the row's JSON object (null for a percentage with nothing known).
    func encodeFigures(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: UptimeFigureKeys.self)
        try container.encode(uptimePct, forKey: .uptimePct)
        try container.encode(operationalS, forKey: .operationalS)
        try container.encode(knownS, forKey: .knownS)
        try container.encode(downOwnS, forKey: .downOwnS)
        try container.encode(downUpstreamS, forKey: .downUpstreamS)
        try container.encode(maintenanceS, forKey: .maintenanceS)
        try container.encode(slaPct, forKey: .slaPct)
    }
}

/// DESIGN.md's uptime, from state intervals: time before a device's first ping is unknown (not
/// down), silence counts as down, the device's installed life clips the window, open intervals end now.

/// The SLA breach list: rows under a percentage, worst first (rows with nothing known are left out).
package enum UptimeFilter {
    package static func below<Row>(_ percent: Double, _ rows: [Row], uptime: (Row) -> Double?) -> [Row] {
        rows.filter { uptime($0).map { $0 < percent } ?? false }.sorted { (uptime($0) ?? 0) < (uptime($1) ?? 0) }
    }
}
