import Foundation
package import Logging
import NIOCore
import NadiCore
package import NadiStore

/// `nadi bench login-flood`: the acknowledgement time of a steady stream of pings, first alone,
/// then while `floodConnections` connections post failed console logins as fast as they are
/// answered (a password guesser, or anyone who wants to stall ingest). Each failed login costs a
/// bcrypt check; nadid checks passwords on a low-priority thread of its own, a few at a time, and
/// answers the rest 429 unhashed, so the ping stream should not notice.
package struct LoginFloodBenchmark: Sendable {
    package struct Settings: Sendable {
        package var seconds = 20
        package var pingsPerSecond = 20
        package var floodConnections = 8
        package var devices = 100
        package init() {}
    }

    /// One phase's figures.
    package struct Phase: Sendable {
        package var name: String
        package var pings: LatencySample
        package var failedPings: Int
        package var logins: [Int: Int]
    }

    let client: DatabaseClient
    let host: String
    let port: Int
    let settings: Settings
    let logger: Logger
    let say: @Sendable (String) -> Void

    package init(
        client: DatabaseClient, host: String, port: Int, settings: Settings, logger: Logger, say: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.host = host
        self.port = port
        self.settings = settings
        self.logger = logger
        self.say = say
    }

    /// Registers the devices and a console user, then runs the quiet phase and the flood phase.
    package func run() async throws -> [Phase] {
        let (_, token) = try await TokenStore(client: client, logger: logger).create(
            name: "bench-login-flood", region: nil, scopes: [.ingest, .inventory])
        let devices = (0..<settings.devices).map { "FLOOD-VT-\($0)" }
        let inventory =
            "["
            + devices.map {
                #"{"id":"\#($0)","kind":"videotron","region":"16.71.01","name":"\#($0)","installed":"2024-01-01","attributes":{"size_m2":12}}"#
            }.joined(separator: ",") + "]"
        try await HTTPConnection.with(host: host, port: port) { http in
            let answer = try await http.post(
                "/v1/inventory", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")],
                body: ByteBuffer(string: inventory))
            guard answer.status == 200 else { throw BenchError("inventory answered HTTP \(answer.status): \(answer.text)") }
        }
        _ = try await ConsoleUserStore(client: client, logger: logger).create(
            name: "bench-operator", region: RegionCode("16.71"), role: .operator, password: "bench-operator-password")
        var phases: [Phase] = []
        for flood in [false, true] {
            let phase = try await measure(flood: flood, token: token, devices: devices)
            say(Self.describe(phase))
            phases.append(phase)
        }
        return phases
    }

    /// A line per phase: ping p50/p99/max and what the logins were answered.
    package static func describe(_ phase: Phase) -> String {
        let logins = phase.logins.sorted { $0.key < $1.key }.map { "HTTP \($0.key): \($0.value)" }.joined(separator: ", ")
        return String(
            format: "%@: %d pings acknowledged, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed%@", phase.name, phase.pings.count,
            phase.pings.percentile(50), phase.pings.percentile(99), phase.pings.percentile(100), phase.failedPings,
            logins.isEmpty ? "" : "; logins answered \(logins)")
    }

    func measure(flood: Bool, token: String, devices: [String]) async throws -> Phase {
        let deadline = ContinuousClock.now + .seconds(settings.seconds)
        return try await withThrowingTaskGroup(of: Phase.self) { group in
            group.addTask { try await pingStream(until: deadline, token: token, devices: devices, flood: flood) }
            if flood {
                for connection in 0..<settings.floodConnections {
                    group.addTask { try await guessPasswords(until: deadline, seed: connection) }
                }
            }
            var total = Phase(
                name: flood ? "with a \(settings.floodConnections)-connection login flood" : "alone", pings: LatencySample(),
                failedPings: 0, logins: [:])
            for try await part in group {
                total.pings.merge(part.pings)
                total.failedPings += part.failedPings
                total.logins.merge(part.logins, uniquingKeysWith: +)
            }
            return total
        }
    }

    /// The steady ping stream of a phase.
    func pingStream(until deadline: ContinuousClock.Instant, token: String, devices: [String], flood: Bool) async throws -> Phase {
        let (latencies, failed) = try await SteadyPings.send(
            host: host, port: port, token: token, devices: devices, perSecond: settings.pingsPerSecond, until: deadline)
        return Phase(name: "", pings: latencies, failedPings: failed, logins: [:])
    }

    /// Failed logins with made-up names, back to back, on one connection.
    func guessPasswords(until deadline: ContinuousClock.Instant, seed: Int) async throws -> Phase {
        var phase = Phase(name: "", pings: LatencySample(), failedPings: 0, logins: [:])
        var random = SplitMix64(seed: UInt64(seed + 1))
        try await HTTPConnection.with(host: host, port: port) { http in
            let form = try await http.get("/login")
            let csrf = ConsoleLogin.hidden("login_csrf", in: form.text) ?? ""
            let cookie =
                form.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("nadi_login=") }?.1
                .split(separator: ";").first.map(String.init) ?? ""
            while ContinuousClock.now < deadline {
                let body = "login_csrf=\(csrf)&name=guess\(random.next() % 1_000_000)&password=guess\(random.next())&next=/"
                let answer = try await http.post(
                    "/login", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)],
                    body: ByteBuffer(string: body))
                phase.logins[answer.status, default: 0] += 1
            }
        }
        return phase
    }
}
