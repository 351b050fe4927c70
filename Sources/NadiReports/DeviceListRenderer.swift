import Foundation
package import NadiCore

/// `nadi devices list` as a table (people) or CSV (machines, stable columns).
package enum DeviceListRenderer {
    package static let columns = ["device", "kind", "region", "name", "status", "reason", "since", "last_seen", "cause", "root"]

    package static func csv(_ rows: [DeviceListing]) -> String {
        CSVText.render(
            header: columns,
            rows: rows.map {
                [
                    $0.device, $0.kind, $0.region, $0.name, $0.status, $0.reason ?? "", $0.since.map(Timestamp.format) ?? "",
                    $0.lastSeen.map(Timestamp.format) ?? "", $0.cause?.rawValue ?? "", $0.root ?? "",
                ]
            })
    }

    package static func table(_ rows: [DeviceListing], colours: Bool) -> String {
        TextTable.render(
            header: ["DEVICE", "KIND", "REGION", "STATUS", "REASON", "CAUSE", "ROOT", "SINCE (UTC)", "LAST SEEN (UTC)", "NAME"],
            rows: rows.map {
                [
                    $0.device, $0.kind, $0.region, $0.status, $0.reason ?? "", $0.cause?.rawValue ?? "", $0.root ?? "", short($0.since),
                    short($0.lastSeen), $0.name,
                ]
            },
            colour: colours ? { column, cell in column == 3 ? StatusColour.code(cell) : nil } : nil)
    }

    /// `2026-11-22 10:00:00`, or `-`.
    static func short(_ date: Date?) -> String {
        guard let date else { return "-" }
        return String(Timestamp.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
