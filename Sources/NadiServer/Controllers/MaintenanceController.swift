import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiCore
import NadiStore
import NadiSupport
import PostgresNIO

/// `POST /v1/maintenance`, `GET /v1/maintenance`, `DELETE /v1/maintenance/{id}`: planned work, with
/// the `maintenance` (or `admin`) scope, limited to the token's region.
struct MaintenanceController: Sendable {
    let configuration: ServerConfiguration
    let authorizer: Authorizer
    let store: MaintenanceStore
    let logger: Logger

    /// The body of `POST /v1/maintenance`.
    struct Input: Decodable {
        var device: String?
        var region: String?
        var kind: String?
        var from: String
        var to: String
        var reason: String
    }

    /// The fields `POST /v1/maintenance` takes.
    static let fields: Set<String> = ["device", "region", "kind", "from", "to", "reason"]

    func addRoutes(to router: Router<some AuthRequestContext<APIToken>>) {
        let planners = router.requiring([.maintenance, .admin], by: authorizer)
        planners.post("/v1/maintenance") { request, context in try await add(request, token: context.requireIdentity()) }
        planners.delete("/v1/maintenance/:id") { request, context in
            try await cancel(request, id: try context.parameters.require("id"), token: context.requireIdentity())
        }
        router.requiring([.maintenance, .admin, .read], by: authorizer).get("/v1/maintenance") { request, context in
            try await list(request, token: context.requireIdentity())
        }
    }

    func add(_ request: Request, token: APIToken) async throws -> Response {
        let buffer = try await BatchBody.collect(request, limit: 64 << 10, timeout: configuration.requestTimeout)
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw APIError(.unsupportedMediaType, "set Content-Type: application/json")
        }
        let data = Data(buffer.readableBytesView)
        if let duplicate = data.withUnsafeBytes({ JSONDuplicateKeys.find(in: $0).first }) {
            throw APIError(.badRequest, "key '\(duplicate.key.prefix(40))' appears twice in the body; send each key once")
        }
        if data.withUnsafeBytes({ JSONNesting.exceeds($0, limit: 1) }) {
            throw APIError(.badRequest, "the body is one flat object: {\"device\" | \"region\" [, \"kind\"], \"from\", \"to\", \"reason\"}")
        }
        if let fields = try? JSONDecoder().decode([String: JSONValue].self, from: data),
            let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) })
        {
            throw APIError(
                .badRequest, "unknown field '\(unknown.prefix(40))'; the body takes device or region (with kind), from, to and reason")
        }
        let input: Input
        do {
            input = try JSONDecoder().decode(Input.self, from: data)
        } catch {
            throw APIError(
                .badRequest,
                "the body must be {\"device\" | \"region\" [, \"kind\"], \"from\", \"to\", \"reason\"}: \(DecodeProblem(describing: error))"
            )
        }
        let parsed = MaintenanceRequest.parse(
            device: input.device, region: input.region, kind: input.kind, from: input.from, to: input.to, reason: input.reason,
            timeZone: configuration.timeZone)
        let maintenance: MaintenanceRequest
        switch parsed {
        case .success(let value): maintenance = value
        case .failure(let problem): throw APIError(.badRequest, problem.description)
        }
        do {
            let window = try await withDeadline(configuration.databaseTimeout) { [store] in
                try await store.add(
                    maintenance, scope: token.region, createdBy: "token:\(token.name)", mayBackdate: token.scopes.contains(.admin))
            }
            return JSONBody.response(window, status: .created)
        } catch let refused as MaintenanceRefused {
            throw APIError(.unprocessableContent, refused.description)
        } catch let forbidden as MaintenanceForbidden {
            throw APIError(.forbidden, forbidden.description)
        } catch {
            logger.error("maintenance write failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            throw APIError.unavailable(
                "the database is unavailable; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        }
    }

    func list(_ request: Request, token: APIToken) async throws -> Response {
        let query = request.uri.queryParameters
        var region: RegionCode?
        if let text = query["region"] {
            guard let code = RegionCode(String(text)) else { throw APIError(.badRequest, "region must be \(RegionCode.formatHelp)") }
            region = code
        }
        let active: Bool
        switch query["active"] {
        case nil, "false", "0": active = false
        case "true", "1": active = true
        default: throw APIError(.badRequest, "active must be true or false")
        }
        let ended: Bool
        switch query["ended"] {
        case nil, "false", "0": ended = false
        case "true", "1": ended = true
        default: throw APIError(.badRequest, "ended must be true or false")
        }
        let under = region
        let windows = try await withDeadline(configuration.databaseTimeout) { [store] in
            try await store.list(scope: token.region, region: under, activeAt: active ? Date() : nil, includeEnded: ended)
        }
        return JSONBody.response(windows)
    }

    func cancel(_ request: Request, id text: String, token: APIToken) async throws -> Response {
        guard let id = Int64(text) else { throw APIError(.badRequest, "the window id is a number (see GET /v1/maintenance)") }
        let cancellation: MaintenanceStore.Cancellation
        do {
            cancellation = try await withDeadline(configuration.databaseTimeout) { [store] in
                try await store.cancel(id: id, scope: token.region)
            }
        } catch {
            throw APIError.unavailable(
                "the database is unavailable; nothing was changed, retry shortly", retryAfter: configuration.retryAfterSeconds)
        }
        guard cancellation != .notFound else {
            throw APIError(.notFound, "no maintenance window #\(id) that has not ended in this token's region (an ended window stays)")
        }
        return Response(status: .noContent)
    }
}
