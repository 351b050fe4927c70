import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiStore
import PostgresNIO

/// `GET /v1/devices/{id}`: current state, since when, last seen, last ping.
struct DeviceController: Sendable {
    let authorizer: Authorizer
    let client: PostgresClient
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

        enum CodingKeys: String, CodingKey {
            case id, kind, region, site, name, installed, decommissioned, status, reason, since
            case intervalS = "interval_s"
            case lastSeen = "last_seen"
            case lastPing = "last_ping"
        }
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/devices/:id") { request, context in
            let token = try await authorizer.require(.read, for: request)
            // Ids may arrive percent-encoded (`PLG%3ACCTV-1`); the router hands the raw path segment.
            let raw = try context.parameters.require("id")
            let id = raw.removingPercentEncoding ?? raw
            return try await device(id, token: token)
        }
    }

    func device(_ externalID: String, token: APIToken) async throws -> Response {
        do {
            var view: DeviceView?
            var deviceID: Int64 = 0
            for try await (id, ext, kind, region, site, name, installed, decommissioned, interval, status, reason, since, lastSeen)
                in try await client.query(
                    """
                    SELECT d.id, d.external_id, d.kind, d.region::text, d.site, d.name, d.installed_on::text, d.decommissioned_on::text,
                           d.interval_s, coalesce(s.status, 'unknown'), coalesce(s.reason, CASE WHEN s.status IS NULL THEN 'never_seen' END),
                           s.since, s.last_seen
                    FROM device d LEFT JOIN device_state s ON s.device_id = d.id WHERE d.external_id = \(externalID)
                    """, logger: logger
                ).decode(
                    (
                        Int64, String, String, String, String?, String, String, String?, Int, String, String?, PostgresTimestamp?,
                        PostgresTimestamp?
                    ).self)
            {
                guard let code = RegionCode(region), token.covers(code) else { break }
                deviceID = id
                view = DeviceView(
                    id: ext, kind: kind, region: region, site: site, name: name, installed: installed, decommissioned: decommissioned,
                    intervalS: interval, status: status, reason: reason, since: since?.date, lastSeen: lastSeen?.date)
            }
            guard var view else { throw APIError(.notFound, "no device '\(externalID)' in this token's region") }
            for try await (at, status, latency, reason, metrics) in try await client.query(
                "SELECT observed_at, status, latency_ms, reason, metrics::text FROM ping WHERE device_id = \(deviceID) ORDER BY observed_at DESC LIMIT 1",
                logger: logger
            ).decode((PostgresTimestamp, String, Float?, String?, String?).self) {
                view.lastPing = LastPing(
                    at: at.date, status: status, latencyMs: latency, reason: reason,
                    metrics: metrics.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) })
                if at.date > view.lastSeen ?? .distantPast { view.lastSeen = at.date }
            }
            return JSONBody.response(view)
        } catch let error as APIError {
            throw error
        } catch {
            logger.error("device read failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            throw APIError.unavailable("the database is unavailable; retry shortly", retryAfter: 2)
        }
    }
}
