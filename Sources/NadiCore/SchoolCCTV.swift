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
    /// Stream URLs of cameras flagged viewable by parents. Private streams never appear.
    package var publicStreams: [String]

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
    }
}

/// URLs as Nadi shows them to people: without user name and password, whatever was registered.
package enum ShownURL {
    /// `rtsp://viewer:pass@10.1.2.3/live` → `rtsp://10.1.2.3/live`; text that is not a URL with an
    /// authority is returned as it is.
    package static func withoutCredentials(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }

    /// True when the URL's host is a private, loopback or link-local IPv4 address (or `localhost`):
    /// such a link works only inside the city's network and names its layout, so public pages
    /// leave it out.
    package static func hasPrivateHost(_ url: String) -> Bool {
        let shown = withoutCredentials(url)
        guard let schemeEnd = shown.range(of: "://") else { return true }
        let rest = shown[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.hasPrefix("[") ? String(authority) : String(authority.split(separator: ":").first ?? "")
        if host.lowercased() == "localhost" || host.hasPrefix("[") { return true }
        let octets = host.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return false }
        switch (octets[0], octets[1]) {
        case (10, _), (127, _), (169, 254), (192, 168): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        default: return false
        }
    }
}
