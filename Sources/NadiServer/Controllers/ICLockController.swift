import Foundation
import Hummingbird
import Logging
import NIOCore
import NadiConsole
import NadiCore
import NadiStore
import NadiSupport
import Synchronization

/// The ZKTeco PUSH ("ADMS") protocol that fingerprint attendance devices speak over plain HTTP:
/// `/iclock/cdata` (handshake and uploads), `/iclock/getrequest` (the regular poll), `/iclock/devicecmd`,
/// and the PUSH v3 `/iclock/registry`, `/iclock/push`, `/iclock/ping`.
///
/// Every request from a registered device (`attributes.serial` = `SN`) is a heartbeat ping, at most
/// one a second per device. The handshake hands out `Delay` = the device's `interval_s`, so its
/// polls are its heartbeats. An unknown SN is answered like any other (so the device keeps trying)
/// and recorded as an unregistered sighting; it never creates a device. Attendance records are
/// personal data: they are counted per device and day (each record once, by a hash; at most
/// `AttendanceLog.maxRecordsPerUpload` per upload), acknowledged, and dropped.
///
/// The protocol has no credentials, so where a request comes from matters: attendance devices sit
/// on the city's network, and a request from a public address (the socket's, or the one a trusted
/// proxy names) is answered but is no heartbeat and no upload of a registered device — anyone on
/// the internet could otherwise keep a dead device "up". Sightings are limited per client address.
struct ICLockController: Sendable {
    let configuration: ServerConfiguration
    let store: AttendanceStore
    let queue: IngestQueue
    let sightings: SightingLimiter
    let logger: Logger
    private let directory = SerialDirectory()

    init(configuration: ServerConfiguration, store: AttendanceStore, queue: IngestQueue, sightings: SightingLimiter, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.queue = queue
        self.sightings = sightings
        self.logger = logger
    }

    func addRoutes(to router: Router<some RemoteAddressRequestContext>) {
        router.get("/iclock/cdata") { request, context in
            try await self.handle(request, from: client(request, context), upload: false) { device, sn in self.handshake(sn, device) }
        }
        router.post("/iclock/cdata") { request, context in try await self.upload(request, from: client(request, context)) }
        for path in ["/iclock/getrequest", "/iclock/ping"] {
            router.get(RouterPath(path)) { request, context in
                try await self.handle(request, from: client(request, context), upload: false) { _, _ in "OK" }
            }
        }
        for path in ["/iclock/devicecmd", "/iclock/registry", "/iclock/push"] {
            router.post(RouterPath(path)) { request, context in
                try await self.handle(request, from: client(request, context), upload: true) { _, _ in "OK" }
            }
            router.get(RouterPath(path)) { request, context in
                try await self.handle(request, from: client(request, context), upload: false) { _, _ in "OK" }
            }
        }
    }

    /// The client's address: the socket's, or the one a trusted proxy appended to X-Forwarded-For.
    func client(_ request: Request, _ context: some RemoteAddressRequestContext) -> String? {
        ConsoleController.visitor(request, context.remoteAddress, trusting: Set(configuration.trustedProxies))
    }

    /// True when a request from `address` may count for a registered device: not from a public address.
    static func mayCount(from address: String?) -> Bool {
        guard let address else { return true }
        return !HostReach.isPublic(address)
    }

    /// The options a device gets at its handshake.
    func handshake(_ sn: String, _ device: DeviceInfo?) -> String {
        let offset = configuration.timeZone.secondsFromGMT() / 3600
        return [
            "GET OPTION FROM: \(sn)", "ATTLOGStamp=None", "OPERLOGStamp=9999", "ATTPHOTOStamp=None", "ErrorDelay=30",
            "Delay=\(device?.intervalSeconds ?? 60)", "TransTimes=00:00;14:05", "TransInterval=1", "TransFlag=TransData AttLog OpLog",
            "TimeZone=\(offset)", "Realtime=1", "Encrypt=None",
        ].joined(separator: "\r\n") + "\r\n"
    }

    /// `POST /iclock/cdata?SN=…&table=…`: ATTLOG records are counted, each once (content dropped);
    /// other tables acknowledged.
    func upload(_ request: Request, from address: String?) async throws -> Response {
        let table = request.uri.queryParameters.get("table") ?? ""
        return try await handle(request, from: address, upload: true) { _, _ in
            "OK"
        } afterBody: { device, body in
            guard table.uppercased() == "ATTLOG", let device else { return [:] }
            let (keys, truncated) = AttendanceLog.recordKeys(body)
            if truncated {
                logger.notice(
                    "attendance upload cut at the per-upload limit",
                    metadata: ["device": "\(device.externalID)", "limit": "\(AttendanceLog.maxRecordsPerUpload)"])
            }
            guard !keys.isEmpty else { return ["attlog_records": .number(0)] }
            let added = try await store.countUpload(
                deviceID: device.id, keys: keys, at: Date(), retentionDays: configuration.writer.retentionDays)
            return ["attlog_records": .number(Double(added))]
        }
    }

    /// The shared part: SN, body (read whole, then dropped), heartbeat or sighting, plain-text answer.
    private func handle(
        _ request: Request, from address: String?, upload: Bool, answer: @escaping (DeviceInfo?, String) -> String,
        afterBody: (DeviceInfo?, [UInt8]) async throws -> [String: JSONValue] = { _, _ in [:] }
    ) async throws -> Response {
        guard let sn = request.uri.queryParameters.get("SN"), RecordValidation.isDeviceSerial(sn) else {
            return Self.text("missing or invalid SN (expected ?SN=<serial number>, 1–64 letters, digits, - or _)\n", status: .badRequest)
        }
        let receivedAt = Date()
        let device: DeviceInfo?
        do {
            let found = try await withDeadline(configuration.databaseTimeout) { [directory, store] in
                try await directory.device(serial: sn) { try await store.device(serial: sn) }
            }
            if found != nil, !Self.mayCount(from: address) {
                logger.notice(
                    "iclock request for a registered device from a public address: answered, not counted",
                    metadata: ["sn": "\(sn)", "address": "\(address ?? "")"])
                return Self.text(answer(nil, sn))
            }
            device = found
        } catch {
            return Self.text(
                "database unavailable, retry later\n", status: .serviceUnavailable, retryAfter: configuration.retryAfterSeconds)
        }
        var metrics: [String: JSONValue] = [:]
        if upload {
            let body: ByteBuffer
            do {
                body = try await BatchBody.collect(request, limit: configuration.maxBodyBytes, timeout: configuration.requestTimeout)
            } catch let error as APIError {
                return Self.text(error.message + "\n", status: error.status)
            }
            do {
                metrics = try await afterBody(device, Array(body.readableBytesView))
            } catch {
                return Self.text(
                    "database unavailable, retry later\n", status: .serviceUnavailable, retryAfter: configuration.retryAfterSeconds)
            }
        }
        do {
            if let device {
                if directory.heartbeatDue(serial: sn, at: receivedAt) || !metrics.isEmpty {
                    let ping = ResolvedPing(
                        deviceID: device.id, kind: .attendance, observedMicros: Timestamp.microseconds(receivedAt), status: .up,
                        metricsJSON: metrics.isEmpty ? nil : JSONValue.object(metrics).jsonText, intervalSeconds: device.intervalSeconds)
                    _ = try await queue.submit(IngestJob(pings: [ping]))
                }
            } else if directory.heartbeatDue(serial: sn, at: receivedAt), sightings.allow(source: "iclock", address: address) {
                _ = try await queue.submit(IngestJob(pings: [], sightings: [Sighting(externalID: sn, at: receivedAt, source: "iclock")]))
            }
        } catch {
            return Self.text("not stored, retry later\n", status: .serviceUnavailable, retryAfter: configuration.retryAfterSeconds)
        }
        return Self.text(answer(device, sn))
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, retryAfter: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Attendance devices by serial (cached a minute), and when each last had a heartbeat recorded.
final class SerialDirectory: Sendable {
    private struct State {
        var devices: [String: (info: DeviceInfo?, loaded: ContinuousClock.Instant)] = [:]
        var lastHeartbeat: [String: Date] = [:]
    }
    private let state = Mutex(State())

    func device(serial: String, load: () async throws -> DeviceInfo?) async throws -> DeviceInfo? {
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0.devices[serial] }), now - cached.loaded < .seconds(60) { return cached.info }
        let info = try await load()
        state.withLock { state in
            if state.devices.count > 100_000 { state.devices.removeAll() }
            state.devices[serial] = (info, now)
        }
        return info
    }

    /// True at most once a second per serial: a poll and an upload arriving together are one heartbeat.
    func heartbeatDue(serial: String, at: Date) -> Bool {
        state.withLock { state in
            if let last = state.lastHeartbeat[serial], at.timeIntervalSince(last) < 1 { return false }
            if state.lastHeartbeat.count > 200_000 { state.lastHeartbeat.removeAll() }
            state.lastHeartbeat[serial] = at
            return true
        }
    }
}
