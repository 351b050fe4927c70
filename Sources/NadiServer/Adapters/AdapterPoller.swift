import Foundation
import Logging
import NIOCore
import NadiCore
import NadiStore
import PostgresNIO
import ServiceLifecycle

/// Polls the devices that cannot push: fiber links with `attributes.snmp` (SNMPv2c GET of
/// ifOperStatus, ifInErrors and, where configured, optical receive power) and cameras or
/// videotrons with `attributes.probe` (RTSP OPTIONS, HTTP GET or TCP connect). What it finds goes
/// through the same queue and state rules as pushed pings; no answer from SNMP means no ping
/// (silence does the rest), a failed probe is a `down` ping with the reason.
///
/// Each device is polled every `interval_s`, its first poll placed at a point of the interval
/// derived from its id (no thundering herd), at most `maxConcurrent` at once. One nadid polls at a
/// time: the holder of the `poller` service lease; the others check now and then and take over when it
/// has expired (30 s after its holder stopped renewing it).
struct AdapterPoller: Service {
    static let ifOperStatus: [UInt32] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 8]
    static let ifInErrors: [UInt32] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 14]

    struct Target: Sendable {
        enum Check: Sendable {
            case snmp(SNMPTarget)
            case probe(ProbeTarget)
        }
        var deviceID: Int64
        var kind: DeviceKind
        var interval: Int
        var check: Check
    }

    let client: DatabaseClient
    let queue: IngestQueue
    let policy: ProbeAddressPolicy
    let logger: Logger
    var maxConcurrent = 64
    var reloadEvery: Duration = .seconds(30)
    var tick: Duration = .seconds(1)

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await pollLoop()
            } catch {
                logger.warning("device poller interrupted; retrying", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
            }
        }
        // Another nadid (or `nadi federation publish`) need not wait for the lease to expire.
        do {
            try await ServiceLease(client: client, name: "poller", seconds: 30, logger: logger).release(instance: Self.instance)
        } catch {
            logger.notice("poller lease not released; it expires within 30 s", metadata: ["error": "\(PostgresErrorText.describe(error))"])
        }
    }

    /// Takes or renews the poller lease; true while this instance holds it.
    private func holdLease() async throws -> Bool {
        try await ServiceLease(client: client, name: "poller", seconds: 30, logger: logger).hold(instance: Self.instance)
    }

    /// This process, as the lease names it.
    static let instance = "\(HostName.local):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    private func pollLoop() async throws {
        var targets: [Int64: Target] = [:]
        var due: [Int64: ContinuousClock.Instant] = [:]
        var errorCounts: [Int64: UInt64] = [:]
        var lastReload: ContinuousClock.Instant?
        var leading = false
        while !Task.isShuttingDownGracefully {
            let holds = try await holdLease()
            if holds != leading {
                logger.info(holds ? "device poller running in this nadid (SNMP, probes)" : "device poller handed to another nadid")
                leading = holds
                if !holds { due.removeAll() }
            }
            guard holds else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
                continue
            }
            let now = ContinuousClock.now
            if lastReload.map({ now - $0 >= reloadEvery }) ?? true {
                targets = try await loadTargets()
                for (id, target) in targets where due[id] == nil {
                    // Spread first polls over the interval, by device id.
                    let offset = Double((UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) % 1000) / 1000 * Double(target.interval)
                    due[id] = now + .milliseconds(Int64(offset * 1000))
                }
                due = due.filter { targets[$0.key] != nil }
                lastReload = now
            }
            let ready = targets.values.filter { (due[$0.deviceID] ?? now) <= now }
            for target in ready { due[target.deviceID] = now + .seconds(target.interval) }
            if !ready.isEmpty {
                let previous = errorCounts
                let results = await poll(ready, previousErrors: previous)
                var pings: [ResolvedPing] = []
                for (target, ping, errors) in results {
                    if let errors { errorCounts[target.deviceID] = errors }
                    if let ping { pings.append(ping) }
                }
                if !pings.isEmpty {
                    do {
                        _ = try await queue.submit(IngestJob(pings: pings))
                    } catch {
                        logger.warning("polled pings not stored", metadata: ["pings": "\(pings.count)", "error": "\(error)"])
                    }
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        }
    }

    /// Polls `targets`, at most `maxConcurrent` at once.
    private func poll(_ targets: [Target], previousErrors: [Int64: UInt64]) async -> [(Target, ResolvedPing?, UInt64?)] {
        await withTaskGroup(of: (Target, ResolvedPing?, UInt64?).self) { group in
            var pending = targets[...]
            var results: [(Target, ResolvedPing?, UInt64?)] = []
            func start() {
                guard let target = pending.popFirst() else { return }
                group.addTask { await check(target, previousErrors: previousErrors[target.deviceID]) }
            }
            for _ in 0..<maxConcurrent { start() }
            while let result = await group.next() {
                results.append(result)
                start()
            }
            return results
        }
    }

    /// One device's check: the ping it yields (nil when nothing answered an SNMP poll) and, for
    /// SNMP, the ifInErrors counter to compare with next time.
    func check(_ target: Target, previousErrors: UInt64?) async -> (Target, ResolvedPing?, UInt64?) {
        let at = Timestamp.microseconds(Date())
        switch target.check {
        case .probe(let probe):
            guard let address = await resolve(probe.host, probe.port, target) else { return (target, nil, nil) }
            let outcome = await Prober().probe(probe, at: address)
            return (
                target,
                ResolvedPing(
                    deviceID: target.deviceID, kind: target.kind, observedMicros: at, status: outcome.status, latencyMs: outcome.latencyMs,
                    reason: outcome.reason, intervalSeconds: target.interval), nil
            )
        case .snmp(let snmp):
            let started = ContinuousClock.now
            var oids = [Self.ifOperStatus + [UInt32(snmp.ifIndex)], Self.ifInErrors + [UInt32(snmp.ifIndex)]]
            if let rx = snmp.rxPowerOID { oids.append(rx) }
            guard let address = await resolve(snmp.host, snmp.port, target) else { return (target, nil, previousErrors) }
            guard
                let response = try? await SNMPClient().get(address: address, community: snmp.community, oids: oids, timeout: .seconds(2))
            else {
                logger.debug("no SNMP answer", metadata: ["device.id": "\(target.deviceID)", "snmp.host": "\(snmp.host)"])
                return (target, nil, previousErrors)
            }
            let latency = (ContinuousClock.now - started).milliseconds
            let reading = SNMPReading(response: response, target: snmp, previousErrors: previousErrors)
            return (
                target,
                ResolvedPing(
                    deviceID: target.deviceID, kind: target.kind, observedMicros: at, status: reading.status, latencyMs: latency,
                    reason: reading.reason, metricsJSON: reading.metricsJSON, intervalSeconds: target.interval), reading.inErrors
            )
        }
    }

    /// The address to poll, or nil (no ping) when the name does not resolve or the policy refuses it.
    private func resolve(_ host: String, _ port: Int, _ target: Target) async -> SocketAddress? {
        do {
            return try await policy.resolve(host: host, port: port)
        } catch let refused as ProbeRefused {
            logger.warning(
                "device not polled: its address is refused", metadata: ["device.id": "\(target.deviceID)", "reason": "\(refused)"])
        } catch {
            logger.debug("device not polled: its host does not resolve", metadata: ["device.id": "\(target.deviceID)", "host": "\(host)"])
        }
        return nil
    }

    private func loadTargets() async throws -> [Int64: Target] {
        var targets: [Int64: Target] = [:]
        for device in try await PollerStore(client: client, logger: logger).pollableDevices() {
            if device.kind == .fiberLink, let target = SNMPTarget(device.snmp) {
                targets[device.id] = Target(deviceID: device.id, kind: device.kind, interval: device.interval, check: .snmp(target))
            } else if let target = ProbeTarget(device.probe) {
                targets[device.id] = Target(deviceID: device.id, kind: device.kind, interval: device.interval, check: .probe(target))
            }
        }
        return targets
    }

}

/// What an SNMP answer says about a fiber link.
struct SNMPReading {
    var status: PingStatus
    var reason: String?
    var metricsJSON: String?
    var inErrors: UInt64?

    init(response: SNMPMessage.Response, target: SNMPTarget, previousErrors: UInt64?) {
        var values: [[UInt32]: SNMPMessage.Value] = [:]
        for binding in response.bindings { values[binding.oid] = binding.value }
        let oper = values[AdapterPoller.ifOperStatus + [UInt32(target.ifIndex)]]
        inErrors = values[AdapterPoller.ifInErrors + [UInt32(target.ifIndex)]].flatMap { value -> UInt64? in
            if case .unsigned(let count) = value { return count }
            return nil
        }
        var metrics: [String: JSONValue] = [:]
        if let number = oper?.number { metrics["if_oper_status"] = .number(number) }
        if let inErrors { metrics["if_in_errors"] = .number(Double(inErrors)) }
        var rxDBm: Double?
        if let oid = target.rxPowerOID, let raw = values[oid]?.number {
            rxDBm = raw * target.rxPowerScale
            metrics["rx_dbm"] = .number(raw * target.rxPowerScale)
        }
        metricsJSON = metrics.isEmpty ? nil : JSONValue.object(metrics).jsonText
        switch oper?.number.map(Int.init) {
        case 1?:
            status = .up
            if let inErrors, let previousErrors, inErrors > previousErrors {
                status = .degraded
                reason = "if_in_errors rising (+\(inErrors - previousErrors))"
            } else if let rxDBm, rxDBm < target.minRxDBm {
                status = .degraded
                reason = "optical receive power \(rxDBm) dBm below \(target.minRxDBm) dBm"
            }
        case 2?, 6?, 7?:
            status = .down
            reason =
                "ifOperStatus \(oper?.number.map { Int($0) } ?? 0) (\([2: "down", 6: "notPresent", 7: "lowerLayerDown"][oper?.number.map(Int.init) ?? 0] ?? ""))"
        case let code?:
            status = .degraded
            reason = "ifOperStatus \(code)"
        case nil:
            status = .down
            reason =
                response.errorStatus != 0 ? "SNMP error-status \(response.errorStatus)" : "no ifOperStatus for ifIndex \(target.ifIndex)"
        }
    }
}
