import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiCore
import NadiStore
import PostgresNIO

/// `GET /v1/devices/{id}`: current state, since when, last seen, last ping.
struct DeviceController: Sendable {
    let authorizer: Authorizer
    let client: DatabaseClient
    let logger: Logger

    struct LastPing: Encodable {
        var at: Date
        var status: String
        var latencyMs: Float?
        var reason: String?
        var metrics: JSONValue?

        enum CodingKeys: String, CodingKey {
            case at, status, reason, metrics
            case latencyMs = "latency_ms"
        }
    }

    struct DeviceView: Encodable {
        var id: String
        var kind: String
        var region: String
        var site: String?
        var name: String
        var installed: String
        var decommissioned: String?
        var intervalS: Int
        var status: String
        var reason: String?
        var since: Date?
        var lastSeen: Date?
        var lastPing: LastPing?
        /// The device it depends on (null when none, or when it lies outside the token's region).
        var upstream: String?
        /// True when the device has an upstream outside the token's region (its id is not shown).
        var upstreamOutsideRegion: Bool
        /// How many devices depend on it (directly or further down).
        var dependents: Int

        enum CodingKeys: String, CodingKey {
            case id, kind, region, site, name, installed, decommissioned, status, reason, since, upstream, dependents
            case intervalS = "interval_s"
            case lastSeen = "last_seen"
            case lastPing = "last_ping"
            case upstreamOutsideRegion = "upstream_outside_region"
        }
    }

    func addRoutes(to router: Router<some AuthRequestContext<APIToken>>) {
        router.requiring([.read], by: authorizer).get("/v1/devices/:id") { request, context in
            let token = try context.requireIdentity()
            // Ids may arrive percent-encoded (`PLG%3ACCTV-1`); the router hands the raw path segment.
            let raw = try context.parameters.require("id")
            let id = raw.removingPercentEncoding ?? raw
            return try await device(id, token: token)
        }
    }

    func device(_ externalID: String, token: APIToken) async throws -> Response {
        let store = DeviceStateStore(client: client, logger: logger)
        guard let row = try await store.device(externalID, within: token.region) else {
            throw APIError(.notFound, "no device '\(externalID)' in this token's region")
        }
        let upstreamVisible =
            token.region.map { scope in row.upstreamRegion.flatMap(RegionCode.init)?.isWithin(scope) ?? false } ?? true
        var view = DeviceView(
            id: row.externalID, kind: row.kind, region: row.region, site: row.site, name: row.name, installed: row.installed,
            decommissioned: row.decommissioned, intervalS: row.intervalSeconds, status: row.status, reason: row.reason,
            since: row.since, lastSeen: row.lastSeen, upstream: upstreamVisible ? row.upstream : nil,
            upstreamOutsideRegion: row.upstream != nil && !upstreamVisible, dependents: try await store.dependents(rowID: row.rowID))
        if let ping = try await store.lastPing(rowID: row.rowID) {
            view.lastPing = LastPing(
                at: ping.at, status: ping.status, latencyMs: ping.latencyMs, reason: ping.reason,
                metrics: ping.metricsJSON.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) })
            if ping.at > view.lastSeen ?? .distantPast { view.lastSeen = ping.at }
        }
        return JSONBody.response(view)
    }
}
