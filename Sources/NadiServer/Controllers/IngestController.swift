import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NadiCore
import NadiStore
import NadiSupport

/// `POST /v1/pings`, `POST /v1/inventory`, `POST /v1/sites`.
struct IngestController: Sendable {
    let configuration: ServerConfiguration
    let authorizer: Authorizer
    let inventory: InventoryStore
    let directory: DeviceDirectory
    let queue: IngestQueue
    let metrics: ServerMetrics
    let sightings: SightingLimiter
    let logger: Logger

    func addRoutes(to router: Router<some AuthRequestContext<APIToken>>) {
        router.requiring([.ingest], by: authorizer).post("/v1/pings") { request, context in
            try await self.pings(request, token: context.requireIdentity())
        }
        let inventory = router.requiring([.inventory], by: authorizer)
        inventory.post("/v1/inventory") { request, context in try await self.devices(request, token: context.requireIdentity()) }
        inventory.post("/v1/sites") { request, context in try await self.sites(request, token: context.requireIdentity()) }
    }

    func pings(_ request: Request, token: APIToken) async throws -> Response {
        let receivedAt = Date()
        let records = try await BatchBody.decode(
            PingInput.self, from: request, limit: configuration.maxBodyBytes, timeout: configuration.requestTimeout,
            fastPath: PingFastDecoder.decode)
        metrics.received(records.count)
        try checkRecordCount(records.count)
        var rejected: [RecordError] = []
        var valid: [(index: Int, ping: PingRecord)] = []
        for (index, result) in records.enumerated() {
            switch result {
            case .success(let input):
                switch RecordValidation.ping(input, receivedAt: receivedAt, retention: configuration.retention) {
                case .success(let ping): valid.append((index, ping))
                case .failure(let problem): rejected.append(RecordError(index: index, error: problem.description))
                }
            case .failure(let problem):
                rejected.append(RecordError(index: index, error: problem.description))
            }
        }
        if !rejected.isEmpty { metrics.rejected(kind: "unknown", rejected.count) }
        let devices: [String: DeviceInfo]
        do {
            let ids = valid.map(\.ping.device)
            devices = try await withDeadline(configuration.databaseTimeout) { [directory] in try await directory.resolve(ids) }
        } catch {
            throw APIError.unavailable(
                "the database is unavailable; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        }
        var job = IngestJob(pings: [], sightings: [])
        var requestIndex: [Int] = []
        var unknownIDs = Set<String>()
        for (index, ping) in valid {
            guard let device = devices[ping.device] else {
                rejected.append(RecordError(index: index, error: "unknown device '\(ping.device)'; register it with POST /v1/inventory"))
                // One sighting per id and request, within the per-request and per-minute limits.
                if unknownIDs.insert(ping.device).inserted, unknownIDs.count <= SightingLimiter.perRequest,
                    sightings.allow(source: "http")
                {
                    job.sightings.append(Sighting(externalID: ping.device, at: ping.observedAt, source: "http"))
                }
                continue
            }
            if let mirror = device.mirroredFrom {
                rejected.append(
                    RecordError(
                        index: index,
                        error: "device '\(ping.device)' is mirrored from federation source '\(mirror)'; send its pings to that Nadi"))
                metrics.rejected(kind: device.kind.rawValue)
                continue
            }
            guard token.covers(device.region) else {
                // Worded as for an unknown device: a token learns nothing of other regions' devices.
                rejected.append(RecordError(index: index, error: "unknown device '\(ping.device)'; register it with POST /v1/inventory"))
                metrics.rejected(kind: device.kind.rawValue)
                continue
            }
            requestIndex.append(index)
            job.pings.append(
                ResolvedPing(
                    deviceID: device.id, kind: device.kind, observedMicros: ping.observedMicros, status: ping.status,
                    latencyMs: ping.latencyMs, reason: ping.reason, metricsJSON: ping.metricsJSON, intervalSeconds: device.intervalSeconds))
        }
        if !job.sightings.isEmpty { metrics.rejected(kind: "unregistered", job.sightings.count) }
        let receipt: IngestReceipt
        do {
            receipt = try await queue.submit(job)
        } catch let error as IngestUnavailable {
            throw unavailable(error)
        }
        for (jobIndex, reason) in receipt.refused { rejected.append(RecordError(index: requestIndex[jobIndex], error: reason)) }
        var outcome = BatchOutcome(accepted: receipt.accepted, duplicates: receipt.duplicates, rejected: rejected)
        outcome.bound()
        return JSONBody.response(outcome)
    }

    func devices(_ request: Request, token: APIToken) async throws -> Response {
        let policy = configuration.probePolicy
        let validate: (DeviceInput) -> Result<DeviceRecord, DecodeProblem> = { input in
            RecordValidation.device(input).flatMap { record in
                guard let refusal = Self.probeRefusal(record, policy: policy) else { return .success(record) }
                return .failure(DecodeProblem(refusal))
            }
        }
        return try await upsert(request, token: token, DeviceInput.self, validate: validate, region: \.region) {
            [inventory, directory] records, scope in
            let (outcome, stored) = try await inventory.upsertDevices(records, scope: scope)
            directory.remember(stored)
            return outcome
        }
    }

    func sites(_ request: Request, token: APIToken) async throws -> Response {
        try await upsert(request, token: token, SiteInput.self, validate: RecordValidation.site, region: \.region) {
            [inventory] records, scope in
            try await inventory.upsertSites(records, scope: scope)
        }
    }

    /// The shared shape of the inventory endpoints: decode, validate each record, keep it inside the
    /// token's region, store the rest in one transaction, and answer with every rejection by index.
    private func upsert<Input: Decodable & Sendable, Record: Sendable>(
        _ request: Request, token: APIToken, _ input: Input.Type, validate: (Input) -> Result<Record, DecodeProblem>,
        region: (Record) -> RegionCode,
        store: @escaping @Sendable ([(index: Int, record: Record)], RegionCode?) async throws -> BatchOutcome
    ) async throws -> Response {
        let records = try await BatchBody.decode(
            Input.self, from: request, limit: configuration.maxBodyBytes, timeout: configuration.requestTimeout)
        try checkRecordCount(records.count)
        var rejected: [RecordError] = []
        var valid: [(index: Int, record: Record)] = []
        for (index, result) in records.enumerated() {
            switch result.flatMap(validate) {
            case .success(let record) where token.covers(region(record)):
                valid.append((index, record))
            case .success(let record):
                rejected.append(
                    RecordError(
                        index: index, error: "region \(region(record)) is outside this token's region \(token.region?.rawValue ?? "")"))
            case .failure(let problem):
                rejected.append(RecordError(index: index, error: problem.description))
            }
        }
        do {
            let toStore = valid
            let scope = token.region
            var outcome = try await withDeadline(configuration.databaseTimeout * 2) { try await store(toStore, scope) }
            outcome.rejected += rejected
            outcome.bound()
            return JSONBody.response(outcome)
        } catch {
            logger.error("inventory write failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            throw APIError.unavailable(
                "the database did not store the batch; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        }
    }

    /// Why the poller would refuse this device's probe or SNMP host (a literal loopback or
    /// link-local address not allowed by `--probe-allow`), or nil.
    static func probeRefusal(_ record: DeviceRecord, policy: ProbeAddressPolicy) -> String? {
        let host = SNMPTarget(record.attributes["snmp"])?.host ?? ProbeTarget(record.attributes["probe"])?.host
        guard let host, let refusal = policy.refusal(literalHost: host) else { return nil }
        return "attributes.\(record.attributes["snmp"] != nil ? "snmp" : "probe") host: \(refusal)"
    }

    /// 413 for a request with more records than one batch may hold (its answer and memory stay bounded).
    private func checkRecordCount(_ count: Int) throws {
        guard count <= configuration.maxRecordsPerRequest else {
            throw APIError(
                .contentTooLarge,
                "\(count) records in one request; at most \(configuration.maxRecordsPerRequest) — nothing was stored, send smaller batches")
        }
    }

    private func unavailable(_ error: IngestUnavailable) -> APIError {
        switch error {
        case .queueFull:
            return .unavailable("the ingest queue is full; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        case .shuttingDown:
            return .unavailable("nadid is shutting down; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        case .databaseUnavailable(let refusal) where !refusal.isEmpty:
            return .unavailable("\(refusal); nothing was stored, retry later", retryAfter: configuration.retryAfterSeconds)
        case .databaseUnavailable:
            return .unavailable(
                "the database did not commit the batch; nothing was stored, retry shortly", retryAfter: configuration.retryAfterSeconds)
        }
    }
}
