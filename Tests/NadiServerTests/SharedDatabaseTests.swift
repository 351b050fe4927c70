import Foundation
import NadiCore
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Synchronization
import Testing

/// Several `nadid` on one database (DESIGN "Scale beyond one machine"): whichever instance takes
/// a device's pings, and in whatever order they arrive, its history is the timeline of the stored
/// pings.
@Suite("Several nadid on one database")
struct SharedDatabaseTests {
    struct SentPing: Sendable {
        var device: String
        var at: Date
        var status: String
        var json: String { Fixtures.ping(device, at, status) }
    }

    @Test(
        "nadid instances take the same devices' pings at the same time, some late: every device's intervals equal the hand-computed timeline, every ping stored once",
        arguments: [1, 2])
    func instancesStayExact(instances: Int) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["NADI_SHARED_SEED"] ?? "") ?? 20_261_202
        var random = SplitMix64(seed: seed)
        let database = try await TestCluster.shared.migratedDatabase()
        let token = try await TestClient.with(database) { client in
            try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "shared", region: nil, scopes: [.ingest, .inventory, .read]
            ).1
        }
        var daemons: [LiveDaemon] = []
        do {
            for _ in 0..<instances { daemons.append(try await LiveDaemon.start(on: database, token: token)) }
        } catch {
            for daemon in daemons { await daemon.stop() }
            throw error
        }
        do {
            try await exercise(daemons, database: database, random: &random, seed: seed)
        } catch {
            for daemon in daemons { await daemon.stop() }
            throw error
        }
        for daemon in daemons { await daemon.stop() }
    }

    private func exercise(_ daemons: [LiveDaemon], database: DatabaseURL, random: inout SplitMix64, seed: UInt64) async throws {
        let devices = (0..<12).map { "SHARED-\($0)" }
        let inventory = devices.map {
            #"{"id":"\#($0)","kind":"videotron","region":"16.71","name":"Shared \#($0)","installed":"2024-01-01","attributes":{"size_m2":8}}"#
        }
        let registered = await daemons[0].post("v1/inventory", "[\(inventory.joined(separator: ","))]")
        #expect(registered.status == 200, "inventory: \(registered.body)")

        // Histories in the past (6 h to 1 h ago), whole seconds: heartbeats of 60 s, some jitter,
        // some gaps long enough to be silence, a mix of statuses.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 6 * 3600).rounded(.down))
        var history: [String: [SentPing]] = [:]
        for device in devices {
            var at = start.addingTimeInterval(Double(random.next() % 30))
            for _ in 0..<50 {
                let roll = random.next() % 100
                let status = roll < 78 ? "up" : roll < 88 ? "degraded" : "down"
                history[device, default: []].append(SentPing(device: device, at: at, status: status))
                let step = random.next() % 100
                at.addTimeInterval(step < 70 ? 60 : step < 80 ? 20 : step < 90 ? 150 : Double(200 + random.next() % 400))
            }
        }
        // Arrival: mostly in order, one ping in six held back and sent after later ones; each ping
        // to one of the two instances at random; requests of 1–6 pings mixing devices, so both
        // instances commit the same device's pings at the same moment.
        var queues: [[SentPing]] = [[], []]
        var held: [SentPing] = []
        let byTime = history.values.flatMap { $0 }.sorted { $0.at < $1.at }
        for ping in byTime {
            if random.next() % 6 == 0 {
                held.append(ping)
                continue
            }
            queues[Int(random.next() % 2)].append(ping)
            if !held.isEmpty, random.next() % 4 == 0 { queues[Int(random.next() % 2)].append(held.removeFirst()) }
        }
        for ping in held { queues[Int(random.next() % 2)].append(ping) }
        var requests: [[[SentPing]]] = [[], []]
        for side in 0..<2 {
            var index = 0
            while index < queues[side].count {
                let size = 1 + Int(random.next() % 6)
                requests[side].append(Array(queues[side][index..<min(index + size, queues[side].count)]))
                index += size
            }
        }
        // Two senders per instance, each taking the next request of its instance's list.
        let plan = SendPlan(requests)
        let daemons = daemons
        await withTaskGroup(of: Void.self) { group in
            for side in 0..<2 {
                for _ in 0..<2 {
                    group.addTask {
                        while true {
                            guard let batch = plan.next(side) else { return }
                            let body = "[\(batch.map(\.json).joined(separator: ","))]"
                            var answer = await daemons[side % daemons.count].post("v1/pings", body)
                            // A 503 stored nothing: an agent sends the same body again.
                            for _ in 0..<20 where answer.status == 503 {
                                plan.retried()
                                try? await Task.sleep(for: .milliseconds(200))
                                answer = await daemons[side % daemons.count].post("v1/pings", body)
                            }
                            let outcome = try? JSONDecoder().decode(Outcome.self, from: Data(answer.body.utf8))
                            if answer.status != 200 || (outcome.map { $0.accepted + $0.duplicates } ?? -1) != batch.count {
                                plan.fail("instance \(side): \(answer.status) \(answer.body)")
                            }
                        }
                    }
                }
            }
        }
        #expect(plan.failures.isEmpty, "\(plan.failures.prefix(3))")
        print(
            "\(daemons.count) nadid: \(byTime.count) pings in \(requests[0].count + requests[1].count) requests, \(plan.retries) answered 503 and sent again"
        )

        try await TestClient.with(database) { client in
            let now = Date()
            var stored = 0
            for try await count in try await client.query("SELECT count(*)::int FROM ping").decode(Int.self) { stored = count }
            #expect(stored == byTime.count, "every ping stored once")
            for device in devices {
                let expected = HandTimeline.runs((history[device] ?? []).map { ($0.at, $0.status) }, interval: 60, missCount: 3, now: now)
                let actual = try await intervals(of: device, client)
                #expect(actual == expected, "\(device) (seed \(seed)):\n stored   \(actual)\n expected \(expected)")
            }
        }
    }
}

/// Requests per instance, handed out to the senders in order, and what went wrong.
final class SendPlan: Sendable {
    private let requests: [[[SharedDatabaseTests.SentPing]]]
    private let state = Mutex<(cursors: [Int], failures: [String], retries: Int)>(([0, 0], [], 0))

    init(_ requests: [[[SharedDatabaseTests.SentPing]]]) { self.requests = requests }

    /// The next request for instance `side`, nil when its list is done.
    func next(_ side: Int) -> [SharedDatabaseTests.SentPing]? {
        state.withLock { state in
            let index = state.cursors[side]
            guard index < requests[side].count else { return nil }
            state.cursors[side] += 1
            return requests[side][index]
        }
    }

    func fail(_ message: String) { state.withLock { $0.failures.append(message) } }
    var failures: [String] { state.withLock { $0.failures } }
    func retried() { state.withLock { $0.retries += 1 } }
    var retries: Int { state.withLock { $0.retries } }
}
