import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiStore
import PostgresNIO

/// `GET /v1/coverage?region=16.71&depth=district&kind=cctv&metric=units&as_of=2026-11-22`: the same
/// JSON as `nadi coverage --format json`. Read scope; limited to the token's region.
struct CoverageController: Sendable {
    let authorizer: Authorizer
    let client: PostgresClient
    let timeZone: TimeZone
    let logger: Logger

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/coverage") { request, _ in try await coverage(request) }
    }

    func coverage(_ request: Request) async throws -> Response {
        let token = try await authorizer.require(.read, for: request)
        let query = request.uri.queryParameters
        var region: RegionCode?
        if let text = query["region"] {
            guard let code = RegionCode(String(text)) else { throw APIError(.badRequest, "region must be \(RegionCode.formatHelp)") }
            region = code
        }
        if let scope = token.region {
            guard let chosen = region ?? Optional(scope), chosen.isWithin(scope) else {
                throw APIError(.forbidden, "this token may read region \(scope) and below only")
            }
            region = chosen
        }
        var depth: RegionLevel?
        if let text = query["depth"] {
            guard let level = RegionLevel(rawValue: String(text)), level != .village else {
                throw APIError(.badRequest, "depth must be province, regency or district")
            }
            depth = level
        }
        var kinds: Set<DeviceKind> = []
        if let text = query["kind"] {
            guard let kind = DeviceKind(rawValue: String(text)) else {
                throw APIError(.badRequest, "kind must be one of \(DeviceKind.allowedValues)")
            }
            kinds = [kind]
        }
        var metrics: Set<TargetMetric> = []
        if let text = query["metric"] {
            guard let metric = TargetMetric(rawValue: String(text)) else {
                throw APIError(.badRequest, "metric must be one of \(TargetMetric.allowedValues)")
            }
            metrics = [metric]
        }
        var asOf: CalendarDay?
        if let text = query["as_of"] {
            guard let day = CalendarDay(String(text)) else { throw APIError(.badRequest, "as_of must be a date YYYY-MM-DD") }
            asOf = day
        }
        let coverage = CoverageQuery(client: client, logger: logger)
        if let region, (try? await withDeadline(.seconds(5), { try await coverage.exists(region) })) == false {
            throw APIError(.notFound, "no region \(region); import regions with `nadi regions import --builtin`")
        }
        do {
            let scope = try await coverage.scope(region: region, depth: depth)
            let report = try await coverage.report(
                scope: scope, at: ReportInstant(asOf: asOf, timeZone: timeZone), kinds: kinds, metrics: metrics)
            return JSONBody.response(report)
        } catch {
            logger.error("coverage query failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            throw APIError.unavailable("the database is unavailable; retry shortly", retryAfter: 2)
        }
    }
}
