import Foundation
package import NadiCore

/// The school CCTV export as CSV (RFC 4180, UTF-8), GeoJSON or JSON.
package enum SchoolExportRenderer {
    /// The CSV columns, in order (a documented contract).
    package static let csvHeader = [
        "npsn", "name", "level", "region", "region_name", "lat", "lon", "cctv_installed", "cctv_operational", "cctv_public",
        "uptime_30d_pct", "covered", "last_seen", "cctv_picture_checked", "cctv_good_picture", "good_picture",
        "cameras_changed_at", "cameras_changed_by",
    ]

    package static func csv(_ schools: [SchoolCCTV]) -> String {
        CSVText.render(
            header: csvHeader,
            rows: schools.map { school in
                [
                    school.npsn, school.name, school.level ?? "", school.region, school.regionName, school.lat.map { "\($0)" } ?? "",
                    school.lon.map { "\($0)" } ?? "", String(school.cctvInstalled), String(school.cctvOperational),
                    String(school.cctvPublic),
                    school.uptime30dPct.map { String(format: "%.2f", $0) } ?? "", school.covered ? "true" : "false",
                    school.lastSeen.map(Timestamp.format) ?? "", String(school.cctvPictureChecked), String(school.cctvGoodPicture),
                    school.goodPicture ? "true" : "false", school.camerasChangedAt.map(Timestamp.format) ?? "",
                    school.camerasChangedBy ?? "",
                ]
            })
    }

    package static func json(_ schools: [SchoolCCTV]) throws -> String {
        String(decoding: try JSONEncoder.report.encode(schools), as: UTF8.self)
    }

    struct Feature: Encodable {
        struct Point: Encodable {
            let type = "Point"
            var coordinates: [Double]
        }
        let type = "Feature"
        var geometry: Point
        var properties: SchoolCCTV
    }

    struct FeatureCollection: Encodable {
        let type = "FeatureCollection"
        var features: [Feature]
    }

    /// A GeoJSON FeatureCollection of Point features (`[lon, lat]`); schools without coordinates are
    /// left out and counted in `leftOut`.
    package static func geojson(_ schools: [SchoolCCTV]) throws -> (text: String, leftOut: Int) {
        var features: [Feature] = []
        for school in schools {
            guard let lat = school.lat, let lon = school.lon else { continue }
            features.append(Feature(geometry: .init(coordinates: [lon, lat]), properties: school))
        }
        let text = String(decoding: try JSONEncoder.report.encode(FeatureCollection(features: features)), as: UTF8.self)
        return (text, schools.count - features.count)
    }
}
