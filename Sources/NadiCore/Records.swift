public import Foundation

/// A device as `POST /v1/inventory` and `nadi devices import` take it.
public struct DeviceInput: Decodable, Sendable {
    public var id: String
    public var kind: String
    public var region: String
    public var site: String?
    public var name: String
    public var lat: Double?
    public var lon: Double?
    public var installed: String
    public var decommissioned: String?
    public var intervalS: Int?
    public var attributes: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case id, kind, region, site, name, lat, lon, installed, decommissioned
        case intervalS = "interval_s"
        case attributes
    }
}

/// A validated device, ready to store.
public struct DeviceRecord: Sendable, Equatable {
    public var externalID: String
    public var kind: DeviceKind
    public var region: RegionCode
    public var site: String?
    public var name: String
    public var lat: Double?
    public var lon: Double?
    public var installed: CalendarDay
    public var decommissioned: CalendarDay?
    public var intervalSeconds: Int
    public var attributes: JSONValue

    public init(
        externalID: String, kind: DeviceKind, region: RegionCode, site: String?, name: String, lat: Double?, lon: Double?,
        installed: CalendarDay, decommissioned: CalendarDay?, intervalSeconds: Int, attributes: JSONValue
    ) {
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
public struct SiteInput: Decodable, Sendable {
    public var code: String
    public var kind: String
    public var name: String
    public var region: String
    public var lat: Double?
    public var lon: Double?
    public var attributes: [String: JSONValue]?

    public init(code: String, kind: String, name: String, region: String, lat: Double?, lon: Double?, attributes: [String: JSONValue]?) {
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
public struct SiteRecord: Sendable, Equatable {
    public var code: String
    public var kind: SiteKind
    public var name: String
    public var region: RegionCode
    public var lat: Double?
    public var lon: Double?
    public var attributes: JSONValue

    public init(code: String, kind: SiteKind, name: String, region: RegionCode, lat: Double?, lon: Double?, attributes: JSONValue) {
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
public struct PingInput: Decodable, Sendable {
    public var device: String
    public var at: String?
    public var status: String
    public var latencyMs: Double?
    public var reason: String?
    public var metrics: [String: JSONValue]?
    /// `metrics` as the exact JSON text received, when `PingFastDecoder` read the ping (then
    /// `metrics` is nil): a flat object of scalars, at most 4 KiB.
    public var metricsText: String? = nil

    enum CodingKeys: String, CodingKey {
        case device, at, status, reason, metrics
        case latencyMs = "latency_ms"
    }

    public init(
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
public struct PingRecord: Sendable, Equatable {
    public var device: String
    public var observedAt: Date
    public var status: PingStatus
    public var latencyMs: Double?
    public var reason: String?
    /// The metrics as compact JSON text, or nil.
    public var metricsJSON: String?
}
