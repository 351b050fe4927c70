import Foundation
import Logging
import NIOCore
import NadiCore
import NadiStore
import PostgresNIO
import ServiceLifecycle

/// Polls the devices that cannot push: fiber links with `attributes.snmp` (SNMPv2c GET of
/// ifOperStatus, ifInErrors and, where configured, optical receive power), devices with
/// `attributes.probe` (RTSP OPTIONS, HTTP GET, TCP connect, or ICMP echo through fping), and the
/// picture of cameras with a `stream_url` (`ImageSampler`, at most `maxSamples` at once). What it
/// finds goes through the same queue and state rules as pushed pings; no answer from SNMP means no
/// ping (silence does the rest), a failed probe is a `down` ping with the reason, a bad picture a
/// `degraded` one.
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
        /// The camera's picture check, if its picture is checked.
        var picture: PictureChecks.Camera?
    }

    let client: DatabaseClient
    let queue: IngestQueue
    let policy: ProbeAddressPolicy
    let logger: Logger
    var maxConcurrent = 64
    var reloadEvery: Duration = .seconds(30)
    var tick: Duration = .seconds(1)
    /// Picture samples at once (each decodes a few seconds of video).
    var maxSamples = 2
    /// Whether camera pictures are checked (`nadid --no-image-checks` turns it off).
    var checkPictures = true

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

    /// Probes and SNMP on this task, picture samples beside it, both only while this nadid holds the lease.
    private func pollLoop() async throws {
        let pictures = PictureChecks()
        let sampler = checkPictures ? ExternalTool.find("ffmpeg").map { ImageSampler(ffmpeg: $0) } : nil
        if checkPictures && sampler == nil {
            logger.warning("camera pictures are not checked: ffmpeg is not installed (Deploy/setup.sh installs it)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let sampler { group.addTask { await sampleLoop(pictures, sampler: sampler) } }
            try await probeLoop(pictures, sampling: sampler != nil)
            group.cancelAll()
        }
    }

    /// Starts the picture samples that are due, at most `maxSamples` at once; each verdict becomes
    /// a ping at once and rides on the probe pings while fresh.
    private func sampleLoop(_ pictures: PictureChecks, sampler: ImageSampler) async {
        var lastOverdueNote: ContinuousClock.Instant?
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let now = ContinuousClock.now
                for camera in await pictures.takeDue(now: now, limit: maxSamples) {
                    group.addTask { await sample(camera, pictures: pictures, sampler: sampler) }
                }
                if lastOverdueNote.map({ now - $0 > .seconds(300) }) ?? true {
                    let overdue = await pictures.overdue(now: now)
                    if overdue > 0 {
                        logger.warning(
                            "camera picture checks fall behind: cameras wait longer than their every_s for a sample",
                            metadata: [
                                "cameras": "\(overdue)", "at.once": "\(maxSamples)",
                                "hint": "raise --image-checks-at-once or image_check.every_s",
                            ])
                        lastOverdueNote = now
                    }
                }
                // A freed slot is refilled within 200 ms (a sample takes seconds).
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// One camera's sample: its verdict is recorded and sent as a ping with the picture's numbers.
    private func sample(_ camera: PictureChecks.Camera, pictures: PictureChecks, sampler: ImageSampler) async {
        // The stream's host passes the same address policy as a probe (or the camera is not sampled).
        guard let stream = ProbeTarget(streamURL: camera.url), await resolve(stream.host, stream.port, camera.deviceID) != nil else {
            await pictures.finish(camera, verdict: nil, now: .now)
            return
        }
        let (verdict, _) = await sampler.sample(camera.url, settings: camera.settings)
        await pictures.finish(camera, verdict: verdict, now: .now)
        // The verdict's time is when it became known, after the probes' reads of the old one (each
        // probe takes its time before it reads): a probe ping that does not carry this verdict is
        // older than it, so the state does not fall back to the old verdict until the next sample.
        let at = Timestamp.microseconds(Date())
        let ping = ResolvedPing(
            deviceID: camera.deviceID, kind: camera.kind, observedMicros: at, status: verdict.status, reason: verdict.reason,
            metricsJSON: verdict.metrics.isEmpty ? nil : JSONValue.object(verdict.metrics).jsonText, intervalSeconds: camera.interval)
        do {
            _ = try await queue.submit(IngestJob(pings: [ping]))
        } catch {
            logger.warning("picture check not stored", metadata: ["device.id": "\(camera.deviceID)", "error": "\(error)"])
        }
    }

    private func probeLoop(_ pictures: PictureChecks, sampling: Bool) async throws {
        var targets: [Int64: Target] = [:]
        var due: [Int64: ContinuousClock.Instant] = [:]
        var errorCounts: [Int64: UInt64] = [:]
        var lastReload: ContinuousClock.Instant?
        var leading = false
        while !Task.isShuttingDownGracefully {
            let holds = try await holdLease()
            if holds != leading {
                logger.info(
                    holds ? "device poller running in this nadid (SNMP, probes, pictures)" : "device poller handed to another nadid")
                leading = holds
                if !holds {
                    due.removeAll()
                    await pictures.clear()
                    lastReload = nil
                }
            }
            guard holds else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
                continue
            }
            let now = ContinuousClock.now
            if lastReload.map({ now - $0 >= reloadEvery }) ?? true {
                let loaded = try await loadTargets()
                targets = loaded.targets
                await pictures.update(
                    !sampling
                        ? [:]
                        : Dictionary(
                            uniqueKeysWithValues: targets.values.compactMap { target in target.picture.map { (target.deviceID, $0) } }),
                    states: loaded.states, now: now)
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
                let results = await poll(ready, previousErrors: previous, pictures: pictures)
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
    private func poll(_ targets: [Target], previousErrors: [Int64: UInt64], pictures: PictureChecks) async -> [(
        Target, ResolvedPing?, UInt64?
    )] {
        await withTaskGroup(of: (Target, ResolvedPing?, UInt64?).self) { group in
            var pending = targets[...]
            var results: [(Target, ResolvedPing?, UInt64?)] = []
            func start() {
                guard let target = pending.popFirst() else { return }
                group.addTask {
                    let at = Timestamp.microseconds(Date())
                    let verdict = await pictures.verdict(for: target.deviceID, now: .now)
                    return await check(target, previousErrors: previousErrors[target.deviceID], picture: verdict, at: at)
                }
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
    /// SNMP, the ifInErrors counter to compare with next time. A probe that finds the camera up
    /// takes the status and reason of its fresh picture verdict (a bad picture or no frame).
    /// `at` is the ping's time, taken before the verdict was read.
    func check(_ target: Target, previousErrors: UInt64?, picture: ImageVerdict?, at: Int64) async -> (Target, ResolvedPing?, UInt64?) {
        switch target.check {
        case .probe(let probe):
            guard let address = await resolve(probe.host, probe.port, target) else { return (target, nil, nil) }
            var outcome = await Prober().probe(probe, at: address)
            if outcome.status == .up, let picture, picture.status != .up {
                outcome.status = picture.status
                outcome.reason = picture.reason
            }
            return (
                target,
                ResolvedPing(
                    deviceID: target.deviceID, kind: target.kind, observedMicros: at, status: outcome.status, latencyMs: outcome.latencyMs,
                    reason: outcome.reason, metricsJSON: outcome.metricsJSON, intervalSeconds: target.interval), nil
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
        await resolve(host, port, target.deviceID)
    }

    private func resolve(_ host: String, _ port: Int, _ deviceID: Int64) async -> SocketAddress? {
        do {
            return try await policy.resolve(host: host, port: port)
        } catch let refused as ProbeRefused {
            logger.warning(
                "device not polled: its address is refused", metadata: ["device.id": "\(deviceID)", "reason": "\(refused)"])
        } catch {
            logger.debug("device not polled: its host does not resolve", metadata: ["device.id": "\(deviceID)", "host": "\(host)"])
        }
        return nil
    }

    /// The devices to poll, and the current state of the cameras whose picture is checked.
    private func loadTargets() async throws -> (targets: [Int64: Target], states: [Int64: (DeviceStatus, String?)]) {
        var targets: [Int64: Target] = [:]
        var states: [Int64: (DeviceStatus, String?)] = [:]
        for device in try await PollerStore(client: client, logger: logger).pollableDevices() {
            let camera = ImageCheckSettings(kind: device.kind, attributes: device.picture).flatMap { settings in
                device.picture?["stream_url"]?.stringValue.map {
                    PictureChecks.Camera(deviceID: device.id, kind: device.kind, interval: device.interval, url: $0, settings: settings)
                }
            }
            let check: Target.Check
            if device.kind == .fiberLink, let target = SNMPTarget(device.snmp) {
                check = .snmp(target)
            } else if let target = ProbeTarget(device.probe) {
                check = .probe(target)
            } else if let camera, let target = ProbeTarget(streamURL: camera.url) {
                check = .probe(target)
            } else {
                continue
            }
            targets[device.id] = Target(deviceID: device.id, kind: device.kind, interval: device.interval, check: check, picture: camera)
            if camera != nil { states[device.id] = (device.status, device.reason) }
        }
        return (targets, states)
    }

}
