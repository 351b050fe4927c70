import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiCore
import NadiStore
import NadiSupport
import PostgresNIO

/// `GET /v1/coverage?region=16.71&depth=district&kind=cctv&metric=units&as_of=2026-11-22`: the same
/// JSON as `nadi coverage --format json`. Read scope; limited to the token's region.
struct CoverageController: Sendable {
    let authorizer: Authorizer
    let client: DatabaseClient
    let timeZone: TimeZone
    let logger: Logger

    func addRoutes(to router: Router<some AuthRequestContext<APIToken>>) {
        router.requiring([.read], by: authorizer).get("/v1/coverage") { request, context in
            try await coverage(request, token: context.requireIdentity())
        }
    }

    func coverage(_ request: Request, token: APIToken) async throws -> Response {
        let query = request.uri.queryParameters
        var parsed: CoverageRequest
        if let flag = query["require_good_image"], flag != "true", flag != "false" {
            throw APIError(.badRequest, "require_good_image must be true or false")
        }
        switch CoverageRequest.parse(
            region: query["region"].map(String.init), depth: query["depth"].map(String.init), kind: query["kind"].map(String.init),
            metric: query["metric"].map(String.init), asOf: query["as_of"].map(String.init),
            requireGoodImage: query["require_good_image"] == "true")
        {
        case .success(let request): parsed = request
        case .failure(let problem): throw APIError(.badRequest, problem.description)
        }
        if let scope = token.region {
            guard let chosen = parsed.region ?? Optional(scope), chosen.isWithin(scope) else {
                throw APIError(.forbidden, "this token may read region \(scope) and below only")
            }
            parsed.region = chosen
        }
        let region = parsed.region
        let coverage = CoverageQuery(client: client, logger: logger)
        if let region, (try? await withDeadline(.seconds(5), { try await coverage.exists(region) })) == false {
            throw APIError(.notFound, "no region \(region); import regions with `nadi regions import --builtin`")
        }
        let scope = try await coverage.scope(region: region, depth: parsed.depth)
        let report = try await coverage.report(
            scope: scope, at: ReportInstant(asOf: parsed.asOf, timeZone: timeZone), kinds: parsed.kinds, metrics: parsed.metrics,
            schoolRule: parsed.schoolRule)
        return JSONBody.response(report)
    }
}
