import AsyncHTTPClient
import Foundation
package import Logging
package import Metrics
import NadiCore
package import NadiStore
import PostgresNIO
import ServiceLifecycle

/// Turns the outbox into messages (DESIGN.md, "Alerts that reach people"). One nadid at a time —
/// the holder of the `notifier` lease — each tick:
/// 1. reads new `alert_event` rows into outages (`OutageStore`), exactly once;
/// 2. decides: an open outage older than a channel's `min_down` whose device is, now, the root of an
///    incident of its own (not behind a failed upstream, not in maintenance) gets one `down` message
///    for that channel, with the count of devices down because of it; a closed outage that was
///    announced gets its `recovery` message; an outage that closed before `min_down` never alerts;
/// 3. sends what is due, each channel in its own task, so a dead receiver delays no other channel.
/// Delivery is at least once: a message is marked delivered only after the receiver's 2xx.
package actor Notifier: Service {
    let client: DatabaseClient
    let configuration: NotifierConfiguration
    let logger: Logger
    let metrics: NotifierMetrics
    private var busy: Set<Int32> = []
    private var reportsBusy = false
    private var lastReportCheck: ContinuousClock.Instant?
    private var failureLogs: [Int32: RepeatedFailureLog] = [:]
    private var lastDecision: (candidates: Set<Int64>, at: ContinuousClock.Instant)?
    private var lastPrune: ContinuousClock.Instant?
    private var lastMetrics: ContinuousClock.Instant?

    package init(
        client: DatabaseClient, configuration: NotifierConfiguration, metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.metrics = NotifierMetrics(factory: metrics)
    }

    package func run() async throws {
        let http = AlertSender.makeHTTPClient()
        let sender = AlertSender(
            http: http, timeout: configuration.requestTimeout, zone: configuration.timeZone, publicURL: configuration.publicURL,
            devicePath: configuration.devicePath)
        let lease = ServiceLease(client: client, name: "notifier", seconds: configuration.leaseSeconds, logger: logger)
        await withDiscardingTaskGroup { group in
            var leading = false
            var renewed: ContinuousClock.Instant?
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    // The holder renews a few times per lease period; the others ask as often.
                    let due = !leading || renewed.map { .now - $0 >= .seconds(max(1, configuration.leaseSeconds / 5)) } ?? true
                    let holds = due ? try await lease.hold(instance: configuration.instance) : leading
                    if due { renewed = .now }
                    if holds != leading {
                        logger.info(holds ? "notifier running in this nadid" : "notifier handed to another nadid")
                        leading = holds
                    }
                    if holds { try await tick(sender: sender, group: &group) }
                } catch {
                    logger.warning("notifier round failed; retrying", metadata: ["error": "\(PostgresErrorText.describe(error))"])
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.tick) }
            }
            if leading { try? await lease.release(instance: configuration.instance) }
            group.cancelAll()
        }
        try? await http.shutdown()
    }

    /// One round: outbox → outages → messages → sends.
    func tick(sender: AlertSender, group: inout DiscardingTaskGroup) async throws {
        let outages = OutageStore(client: client, logger: logger)
        if try await outages.hasNewEvents() {
            while try await outages.processEvents() == 5000 {}
        }
        let now = ContinuousClock.now
        let channels = try await ChannelStore(client: client, logger: logger).withSecrets()
        let deliveries = DeliveryStore(client: client, logger: logger)
        if !channels.isEmpty {
            try await decide(outages, escalating: channels.contains { $0.channel.escalation != nil })
            let due = try await deliveries.channelsWithDue(now: Date()).subtracting(busy)
            for channel in channels where due.contains(channel.channel.id) && channel.channel.disabledAt == nil {
                busy.insert(channel.channel.id)
                group.addTask { await self.deliver(channel, sender: sender) }
            }
        }
        if !reportsBusy, lastReportCheck.map({ now - $0 >= configuration.tick * 5 }) ?? true {
            lastReportCheck = now
            let dispatcher = ReportDispatcher(client: client, configuration: configuration, logger: logger)
            let due = try await dispatcher.due()
            if !due.isEmpty {
                reportsBusy = true
                let byID = Dictionary(channels.map { ($0.channel.id, $0) }) { a, _ in a }
                group.addTask {
                    await dispatcher.send(due, channels: byID, sender: sender)
                    await self.reportsDone()
                }
            }
        }
        if lastMetrics.map({ now - $0 >= .seconds(5) }) ?? true {
            metrics.eventsPending.record(try await outages.pendingEvents())
            let backlog = try await deliveries.backlog(now: Date())
            metrics.pending.record(backlog.pending)
            metrics.oldestUndelivered.record(backlog.oldestSeconds)
            lastMetrics = now
        }
        if lastPrune.map({ now - $0 > .seconds(3600) }) ?? true {
            let before = Date().addingTimeInterval(-configuration.keep)
            try await outages.prune(before: before)
            try await deliveries.prune(before: before)
            lastPrune = now
        }
    }

    private func reportsDone() { reportsBusy = false }

    /// Queues the `down` and `recovery` messages that are due, and escalation steps when a channel escalates.
    func decide(_ outages: OutageStore, escalating: Bool) async throws {
        let deliveries = DeliveryStore(client: client, logger: logger)
        var queued: [DeliveryStore.NewDelivery] = []
        for found in try await outages.recoveryCandidates() {
            guard var payload = try? AlertPayload.decode(found.down) else { continue }
            payload.kind = .recovery
            payload.ended = found.ended
            payload.step = nil
            payload.escalatedFrom = nil
            payload.unacknowledgedSeconds = nil
            // Dependents found silent after the announcement count too.
            payload.dependentsDown = max(payload.dependentsDown, found.affected)
            queued.append(.init(channelID: found.channelID, outageID: found.outageID, payload: payload))
        }
        let candidates = try await outages.downCandidates(now: Date())
        let ids = Set(candidates.map(\.outageID))
        let now = ContinuousClock.now
        // The incidents are computed only when there is something to decide, and again for the same
        // outages (dependents whose root is down, devices in maintenance) at most every 15 s.
        if !candidates.isEmpty, lastDecision.map({ $0.candidates != ids || now - $0.at > .seconds(15) }) ?? true {
            lastDecision = (ids, now)
            let incidents = try await IncidentQuery(client: client, logger: logger).open(region: nil)
            let roots = Dictionary(incidents.filter { $0.cause == .own }.map { ($0.root, $0) }, uniquingKeysWith: { a, _ in a })
            for candidate in candidates {
                if candidate.problem == .picture {
                    // A bad picture is the camera's own incident; the outage closes when the state
                    // leaves it, so the reason still names the problem (a change of problem keeps the first).
                    queued.append(
                        .init(
                            channelID: candidate.channelID, outageID: candidate.outageID,
                            payload: AlertPayload(
                                kind: .down, device: candidate.device, name: candidate.name, deviceKind: candidate.kind,
                                region: candidate.region, since: candidate.started, ended: nil, dependentsDown: 0,
                                channel: candidate.channel,
                                picture: PictureProblem(reason: candidate.reason) ?? .frozen)))
                    continue
                }
                guard let incident = roots[candidate.device] else { continue }
                queued.append(
                    .init(
                        channelID: candidate.channelID, outageID: candidate.outageID,
                        payload: AlertPayload(
                            kind: .down, device: candidate.device, name: candidate.name, deviceKind: candidate.kind,
                            region: candidate.region,
                            since: candidate.started, ended: nil, dependentsDown: incident.dependentsDown, channel: candidate.channel)))
            }
        }
        // No channel escalates: no step can be due or queued (a removed channel takes its deliveries with it).
        if escalating { queued += try await escalations() }
        let added = try await deliveries.enqueue(queued)
        if added > 0 { logger.info("alert messages queued", metadata: ["messages": "\(added)"]) }
    }

    /// The escalation steps that are due: for each incident announced on an escalating channel and
    /// still open and unacknowledged, the newest step its policy has reached, once (the delivery
    /// table's key makes a second nadid, or this one after a restart, add nothing). Steps queued
    /// for incidents acknowledged or closed since are cancelled first.
    func escalations() async throws -> [DeliveryStore.NewDelivery] {
        let store = EscalationStore(client: client, logger: logger)
        let cancelled = try await store.cancelAnswered()
        if cancelled > 0 { logger.info("escalation steps cancelled: acknowledged or closed", metadata: ["steps": "\(cancelled)"]) }
        var queued: [DeliveryStore.NewDelivery] = []
        for incident in try await store.announced() {
            guard let step = incident.policy.dueStep(elapsed: incident.elapsed), step > incident.lastStep,
                var payload = try? AlertPayload.decode(incident.payload)
            else { continue }
            payload.step = step
            payload.escalatedFrom = incident.targetID == incident.channelID ? nil : incident.channel
            payload.unacknowledgedSeconds = incident.policy.offset(ofStep: step)
            payload.channel = incident.target
            queued.append(.init(channelID: incident.targetID, outageID: incident.outageID, payload: payload, step: step))
        }
        return queued
    }

    /// Sends a channel's due messages in order, then frees the channel for the next round.
    func deliver(_ channel: NotifyChannelSecret, sender: AlertSender) async {
        defer { busy.remove(channel.channel.id) }
        let deliveries = DeliveryStore(client: client, logger: logger)
        do {
            for delivery in try await deliveries.due(channel: channel.channel.id, now: Date()) {
                guard !Task.isCancelled, let payload = try? AlertPayload.decode(delivery.payload) else { continue }
                let outcome = await sender.send(payload, eventID: delivery.eventID, to: channel, done: Set(delivery.sentTo))
                let result: String
                if outcome.delivered {
                    try await deliveries.record(
                        id: delivery.id, delivered: true, status: outcome.status, error: outcome.detail, retryAt: nil, done: outcome.done)
                    result = "delivered"
                } else if outcome.gone {
                    try await deliveries.record(
                        id: delivery.id, delivered: false, status: outcome.status, error: outcome.detail, retryAt: nil)
                    try await ChannelStore(client: client, logger: logger).disable(
                        id: channel.channel.id, reason: "the receiver answered 410 Gone")
                    logger.warning(
                        "notification channel disabled: its webhook answered 410 Gone", metadata: ["channel": "\(channel.channel.name)"])
                    result = "failed"
                    break
                } else {
                    let retryAt =
                        outcome.permanent
                        ? nil
                        : configuration.retryAt(
                            attempts: delivery.attempts + 1, created: delivery.created, now: Date(), asked: outcome.retryAfter,
                            jitter: Double.random(in: 0...1))
                    try await deliveries.record(
                        id: delivery.id, delivered: false, status: outcome.status, error: outcome.detail, retryAt: retryAt,
                        done: outcome.done)
                    result = retryAt == nil ? "failed" : "retry"
                    noteFailure(channel.channel, outcome, givenUp: retryAt == nil)
                }
                metrics.deliveries(channel: channel.channel.name, outcome: result).increment()
                // A receiver that refuses: the rest of its queue waits for the retry time, in order.
                if !outcome.delivered { break }
            }
        } catch {
            logger.warning(
                "alert delivery bookkeeping failed",
                metadata: ["channel": "\(channel.channel.name)", "error": "\(PostgresErrorText.describe(error))"])
        }
    }

    private func noteFailure(_ channel: NotifyChannel, _ outcome: SendOutcome, givenUp: Bool) {
        var log = failureLogs[channel.id] ?? RepeatedFailureLog(every: .seconds(60))
        log.note(outcome.detail ?? "not delivered") { suppressed in
            logger.warning(
                givenUp ? "alert message given up after retrying for 24 h" : "alert message not delivered; will retry",
                metadata: ["channel": "\(channel.name)", "error": "\(outcome.detail ?? "")", "similar.suppressed": "\(suppressed)"])
        }
        failureLogs[channel.id] = log
    }
}
