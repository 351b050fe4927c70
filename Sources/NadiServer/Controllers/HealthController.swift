import Foundation
import Hummingbird
import Logging
import NadiCore
import NadiStore
import NadiSupport
import PostgresNIO
import Prometheus

/// `GET /healthz` (process up), `GET /readyz` (database reachable and migrated), `GET /metrics`.
struct HealthController: Sendable {
    let client: DatabaseClient
    let queue: IngestQueue
    let metrics: ServerMetrics
    let migrations: [Migration]
    /// How long queued pings may see no writer progress before `/readyz` says so.
    let stallLimit: Duration
    let logger: Logger

    /// `/healthz`, `/readyz`, and `/metrics` unless `metrics` is false (served on a listener of its own).
    func addRoutes(to router: Router<some RequestContext>, metrics servesMetrics: Bool = true) {
        router.get("/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("/readyz") { _, _ in await ready() }
        if servesMetrics { addMetricsRoute(to: router) }
    }

    func addMetricsRoute(to router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ in await scrape() }
    }

    func ready() async -> Response {
        if let stall = queue.stall(limit: stallLimit) {
            return JSONBody.response(
                [
                    "status": "unavailable",
                    "reason":
                        "the ingest writer has made no progress for \(Int(stall.waited.seconds)) s with \(stall.pings) pings queued",
                ], status: .serviceUnavailable)
        }
        do {
            // One deadline for both questions: a database that is away is reported within 2 s, not
            // after one 2 s wait per question (a load balancer's probe gives up after a few seconds).
            let (pending, readOnly) = try await withDeadline(.seconds(2)) { [client, logger, migrations] in
                let pending = try await Migrator(client: client, logger: logger).pending(migrations)
                guard pending.isEmpty else { return (pending, false) }
                return (pending, try await DatabaseHealth(client: client, logger: logger).isReadOnly())
            }
            guard pending.isEmpty else {
                return JSONBody.response(
                    ["status": "unavailable", "reason": "migrations pending: \(pending.map(\.name).joined(separator: ", "))"],
                    status: .serviceUnavailable)
            }
            if readOnly, let refusal = PostgresErrorText.writeRefusal(code: .readOnlySqlTransaction) {
                return JSONBody.response(["status": "unavailable", "reason": refusal], status: .serviceUnavailable)
            }
            if let problem = queue.commitProblem() {
                return JSONBody.response(["status": "unavailable", "reason": problem], status: .serviceUnavailable)
            }
            return JSONBody.response(["status": "ready"])
        } catch {
            return JSONBody.response(["status": "unavailable", "reason": "database unreachable"], status: .serviceUnavailable)
        }
    }

    func scrape() async -> Response {
        metrics.queueDepth(queue.depth)
        metrics.oldestQueued(queue.oldestWait)
        let store = DeviceStateStore(client: client, logger: logger)
        if let rows = try? await withDeadline(.seconds(2), { try await store.countsByRegency() }) { metrics.fleet(rows) }
        let audit = AuditStore(client: client, logger: logger)
        if let rows = try? await withDeadline(.seconds(2), { try await audit.lastHourByActor() }) { metrics.audit(rows) }
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
