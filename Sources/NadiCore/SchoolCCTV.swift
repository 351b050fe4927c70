package import Foundation

/// One school of the CCTV export: its cameras, whether a working one covers it, its 30-day uptime.
package struct SchoolCCTV: Sendable, Equatable, Codable {
    package var npsn: String
    package var name: String
    package var level: String?
    package var region: String
    package var regionName: String
    package var lat: Double?
    package var lon: Double?
    package var cctvInstalled: Int
    package var cctvOperational: Int
    package var cctvPublic: Int
    package var uptime30dPct: Double?
    package var covered: Bool
    package var lastSeen: Date?
    /// Links of cameras flagged viewable by parents (`public_url`, else `stream_url`), each only
    /// when `PublicLink` allows it to be shown. Private cameras never appear.
    package var publicStreams: [String]
    /// Cameras whose picture is checked (`nadi_image_checked`), and of them those showing a good
    /// picture now (`nadi_good_picture`: not black, frozen, blurred or too slow).
    package var cctvPictureChecked: Int = 0
    package var cctvGoodPicture: Int = 0
    /// Whether a camera with a good picture covers the school.
    package var goodPicture = false
    /// When the school's cameras last changed in the inventory (one added, removed, moved here or
    /// away, installed or decommissioned), and who changed them, from the audit trail.
    package var camerasChangedAt: Date?
    package var camerasChangedBy: String?

    package init(
        npsn: String, name: String, level: String?, region: String, regionName: String, lat: Double?, lon: Double?, cctvInstalled: Int,
        cctvOperational: Int, cctvPublic: Int, uptime30dPct: Double?, covered: Bool, lastSeen: Date?, publicStreams: [String]
    ) {
        self.npsn = npsn
        self.name = name
        self.level = level
        self.region = region
        self.regionName = regionName
        self.lat = lat
        self.lon = lon
        self.cctvInstalled = cctvInstalled
        self.cctvOperational = cctvOperational
        self.cctvPublic = cctvPublic
        self.uptime30dPct = uptime30dPct
        self.covered = covered
        self.lastSeen = lastSeen
        self.publicStreams = publicStreams
    }

    enum CodingKeys: String, CodingKey {
        case npsn, name, level, region, lat, lon, covered
        case regionName = "region_name"
        case cctvInstalled = "cctv_installed"
        case cctvOperational = "cctv_operational"
        case cctvPublic = "cctv_public"
        case uptime30dPct = "uptime_30d_pct"
        case lastSeen = "last_seen"
        case publicStreams = "public_streams"
        case cctvPictureChecked = "cctv_picture_checked"
        case cctvGoodPicture = "cctv_good_picture"
        case goodPicture = "good_picture"
        case camerasChangedAt = "cameras_changed_at"
        case camerasChangedBy = "cameras_changed_by"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(npsn, forKey: .npsn)
        try container.encode(name, forKey: .name)
        try container.encode(level, forKey: .level)
        try container.encode(region, forKey: .region)
        try container.encode(regionName, forKey: .regionName)
        try container.encode(lat, forKey: .lat)
        try container.encode(lon, forKey: .lon)
        try container.encode(cctvInstalled, forKey: .cctvInstalled)
        try container.encode(cctvOperational, forKey: .cctvOperational)
        try container.encode(cctvPublic, forKey: .cctvPublic)
        try container.encode(uptime30dPct, forKey: .uptime30dPct)
        try container.encode(covered, forKey: .covered)
        try container.encode(lastSeen.map(Timestamp.format), forKey: .lastSeen)
        try container.encode(publicStreams, forKey: .publicStreams)
        try container.encode(cctvPictureChecked, forKey: .cctvPictureChecked)
        try container.encode(cctvGoodPicture, forKey: .cctvGoodPicture)
        try container.encode(goodPicture, forKey: .goodPicture)
        try container.encode(camerasChangedAt.map(Timestamp.format), forKey: .camerasChangedAt)
        try container.encode(camerasChangedBy, forKey: .camerasChangedBy)
    }
}
