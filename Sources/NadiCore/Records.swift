package import Foundation

/// A device as `POST /v1/inventory` and `nadi devices import` take it.
package struct DeviceInput: Decodable, Sendable {
    package var id: String
    package var kind: String
    package var region: String
    package var site: String?
    package var name: String
    package var lat: Double?
    package var lon: Double?
    package var installed: String
    package var decommissioned: String?
    package var intervalS: Int?
    package var attributes: [String: JSONValue]?
    /// Absent: keep the device's upstream; null: clear it; an id: that device.
    package var upstream: UpstreamChange = .keep
    /// When a changed upstream link began to hold (RFC 3339); absent: when it is stored.
    package var upstreamSince: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, region, site, name, lat, lon, installed, decommissioned, upstream
        case intervalS = "interval_s"
        case upstreamSince = "upstream_since"
        case attributes
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        kind = try container.decode(String.self, forKey: .kind)
        region = try container.decode(String.self, forKey: .region)
        site = try container.decodeIfPresent(String.self, forKey: .site)
        name = try container.decode(String.self, forKey: .name)
        lat = try container.decodeIfPresent(Double.self, forKey: .lat)
        lon = try container.decodeIfPresent(Double.self, forKey: .lon)
        installed = try container.decode(String.self, forKey: .installed)
        decommissioned = try container.decodeIfPresent(String.self, forKey: .decommissioned)
        intervalS = try container.decodeIfPresent(Int.self, forKey: .intervalS)
        attributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .attributes)
        if container.contains(.upstream) {
            upstream = try container.decodeNil(forKey: .upstream) ? .clear : .set(try container.decode(String.self, forKey: .upstream))
        }
        upstreamSince = try container.decodeIfPresent(String.self, forKey: .upstreamSince)
    }
}

/// A validated device, ready to store.
package struct DeviceRecord: Sendable, Equatable {
    package var externalID: String
    package var kind: DeviceKind
    package var region: RegionCode
    package var site: String?
    package var name: String
    package var lat: Double?
    package var lon: Double?
    package var installed: CalendarDay
    package var decommissioned: CalendarDay?
    package var intervalSeconds: Int
    package var attributes: JSONValue
    package var upstream: UpstreamChange
    /// When a changed upstream link began to hold; nil: when it is stored (or, for a device's
    /// first registration, its installed day).
    package var upstreamSince: Date?

    package init(
        externalID: String, kind: DeviceKind, region: RegionCode, site: String?, name: String, lat: Double?, lon: Double?,
        installed: CalendarDay, decommissioned: CalendarDay?, intervalSeconds: Int, attributes: JSONValue, upstream: UpstreamChange = .keep,
        upstreamSince: Date? = nil
    ) {
        self.upstream = upstream
        self.upstreamSince = upstreamSince
        self.externalID = externalID
        self.kind = kind
        self.region = region
        self.site = site
        self.name = name
        self.lat = lat
        self.lon = lon
        self.installed = installed
        self.decommissioned = decommissioned
        self.intervalSeconds = intervalSeconds
        self.attributes = attributes
    }
}

/// A site as `POST /v1/sites` and `nadi sites import` take it.
package struct SiteInput: Decodable, Sendable {
    package var code: String
    package var kind: String
    package var name: String
    package var region: String
    package var lat: Double?
    package var lon: Double?
    package var attributes: [String: JSONValue]?

    package init(code: String, kind: String, name: String, region: String, lat: Double?, lon: Double?, attributes: [String: JSONValue]?) {
        self.code = code
        self.kind = kind
        self.name = name
        self.region = region
        self.lat = lat
        self.lon = lon
        self.attributes = attributes
    }
}

/// A validated site.
package struct SiteRecord: Sendable, Equatable {
    package var code: String
    package var kind: SiteKind
    package var name: String
    package var region: RegionCode
    package var lat: Double?
    package var lon: Double?
    package var attributes: JSONValue

    package init(code: String, kind: SiteKind, name: String, region: RegionCode, lat: Double?, lon: Double?, attributes: JSONValue) {
        self.code = code
        self.kind = kind
        self.name = name
        self.region = region
        self.lat = lat
        self.lon = lon
        self.attributes = attributes
    }
}

/// A health ping as `POST /v1/pings` takes it.
package struct PingInput: Decodable, Sendable {
    package var device: String
    package var at: String?
    package var status: String
    package var latencyMs: Double?
    package var reason: String?
    package var metrics: [String: JSONValue]?
    /// `metrics` as the exact JSON text received, when `PingFastDecoder` read the ping (then
    /// `metrics` is nil): a flat object of scalars, at most 4 KiB.
    package var metricsText: String? = nil

    enum CodingKeys: String, CodingKey {
        case device, at, status, reason, metrics
        case latencyMs = "latency_ms"
    }

    package init(
        device: String, at: String?, status: String, latencyMs: Double? = nil, reason: String? = nil,
        metrics: [String: JSONValue]? = nil
    ) {
        self.device = device
        self.at = at
        self.status = status
        self.latencyMs = latencyMs
        self.reason = reason
        self.metrics = metrics
    }
}

/// A validated ping (the device not yet resolved).
package struct PingRecord: Sendable, Equatable {
    package var device: String
    /// `at` in microseconds since 1970, as sent (or when received).
    package var observedMicros: Int64
    package var status: PingStatus
    package var latencyMs: Double?
    package var reason: String?
    /// The metrics as compact JSON text, or nil.
    package var metricsJSON: String?

    /// `at` as a date.
    package var observedAt: Date { Date(timeIntervalSince1970: Double(observedMicros) / 1_000_000) }
}
