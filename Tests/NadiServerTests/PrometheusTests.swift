import Foundation
import NadiCore
import NadiLauncher
import NadiServer
import NadiServerTestSupport
import NadiTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `/metrics`, the rules and the Grafana dashboard judged by Prometheus' own tools (Debian's
/// `prometheus` package, installed by `Deploy/setup.sh --test-peers`): `promtool check metrics`
/// on a live scrape, `promtool check rules` / `test rules`, and a real Prometheus scraping a
/// live nadid and answering PromQL with the values the test caused.
@Suite("Prometheus, promtool and the Grafana dashboard against a live nadid")
struct PrometheusTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy")
    static let rules = deploy.appendingPathComponent("prometheus/nadi-rules.yml")
    static let dashboard = deploy.appendingPathComponent("grafana/nadi-dashboard.json")

    @Test("promtool: the rules file is valid and its unit tests pass")
    func rulesCheckAndUnitTests() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool is installed (Deploy/setup.sh --test-peers)")
        let check = try await ToolRun.shell("promtool check rules '\(Self.rules.path)'")
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 12 rules found"), "\(check.output)")
        let unit = try await ToolRun.shell("cd '\(Self.rules.deletingLastPathComponent().path)' && promtool test rules nadi-rules.test.yml")
        #expect(unit.status == 0, "\(unit.output)")
        #expect(unit.output.contains("SUCCESS"), "\(unit.output)")
        let config = try await ToolRun.shell(
            "promtool check config '\(Self.deploy.appendingPathComponent("prometheus/prometheus.yml").path)'")
        #expect(config.status == 0, "\(config.output)")
    }

    @Test(
        "a real Prometheus scrapes nadid: promtool check metrics is clean, the accepted-pings rate and silent-devices gauge answer with what was sent, rules evaluate, every dashboard query runs"
    )
    func liveScrape() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"), "prometheus is installed (Deploy/setup.sh --test-peers)")
        try await LiveDaemon.with { nadid in
            // 20 devices that keep pinging, 2 that went silent in 16.71, 1 quiet one (no interval missed) in 16.01.
            var devices = (1...20).map {
                #"{"id":"PROM-UP-\#($0)","kind":"videotron","region":"16.71.01","name":"Up \#($0)","installed":"2025-01-01","interval_s":3600,"attributes":{"size_m2":8}}"#
            }
            devices += (1...2).map {
                #"{"id":"PROM-SIL-\#($0)","kind":"videotron","region":"16.71.02","name":"Silent \#($0)","installed":"2025-01-01","interval_s":1,"attributes":{"size_m2":8}}"#
            }
            devices.append(
                #"{"id":"PROM-OKU-1","kind":"videotron","region":"16.01.07","name":"OKU","installed":"2025-01-01","interval_s":3600,"attributes":{"size_m2":8}}"#
            )
            let registered = await nadid.post("v1/inventory", "[\(devices.joined(separator: ","))]")
            try #require(registered.status == 200, "\(registered.body)")
            let old = Date().addingTimeInterval(-120)
            let stale = await nadid.post(
                "v1/pings",
                "[\(Fixtures.ping("PROM-SIL-1", old)),\(Fixtures.ping("PROM-SIL-2", old)),\(Fixtures.ping("PROM-OKU-1", Date()))]")
            try #require(stale.status == 200, "\(stale.body)")
            let rejected = await nadid.post("v1/pings", "[\(Fixtures.ping("PROM-GHOST", Date()))]")
            try #require(rejected.status == 200)

            let prometheus = try await PrometheusServer.start(scraping: nadid.port, rules: Self.rules)
            defer { prometheus.stop() }

            // 15 rounds, one a second, of 20 pings: a known rate.
            let started = Date()
            var sent = 0
            for round in 0..<15 {
                let at = started.addingTimeInterval(Double(round))
                let pings = (1...20).map { Fixtures.ping("PROM-UP-\($0)", at) }
                let answer = await nadid.post("v1/pings", "[\(pings.joined(separator: ","))]")
                #expect(answer.status == 200, "\(answer.body)")
                sent += 20
                let next = started.addingTimeInterval(Double(round + 1))
                if next > Date() { try await Task.sleep(for: .seconds(next.timeIntervalSinceNow)) }
            }
            let finished = Date()
            let expectedTotal = Double(sent + 3)

            // The counter Prometheus holds equals what nadid committed, exactly.
            let total = try await prometheus.waitFor("sum(nadi_pings_accepted_total{job=\"nadid\"})", timeout: .seconds(30)) {
                $0.first?.value == expectedTotal
            }
            #expect(total.first?.value == expectedTotal, "accepted pings as Prometheus saw them: \(total)")
            // The rate while they were sent: 20 pings a second (give or take the machine's timing).
            let middle = started.addingTimeInterval(finished.timeIntervalSince(started) / 2 + 4)
            let rate = try await prometheus.query("sum(rate(nadi_pings_accepted_total{job=\"nadid\"}[8s]))", at: middle)
            let measured = Double(sent) / finished.timeIntervalSince(started)
            let observed = try #require(rate.first?.value, "a rate at \(middle)")
            #expect(observed > measured * 0.6 && observed < measured * 1.4, "rate \(observed)/s against \(measured)/s sent")
            print(
                "prometheus: \(total.first?.value ?? 0) pings accepted as scraped (\(Int(expectedTotal)) sent and stored); rate \(observed)/s against \(measured)/s sent"
            )
            let rejections = try await prometheus.query("sum(nadi_pings_rejected_total{job=\"nadid\",kind=\"unregistered\"})")
            #expect(rejections.first?.value == 1)

            // Silent devices by kabupaten/kota: 2 in 16.71, none in 16.01; the recording rule agrees.
            let silent = try await prometheus.waitFor("nadi_devices_silent{job=\"nadid\"}", timeout: .seconds(40)) { samples in
                samples.first { $0.labels["region"] == "16.71" }?.value == 2
            }
            #expect(silent.first { $0.labels["region"] == "16.71" }?.value == 2, "\(silent)")
            #expect(silent.first { $0.labels["region"] == "16.01" }?.value == 0, "\(silent)")
            let recorded = try await prometheus.waitFor("nadi:devices_silent:by_region{region=\"16.71\"}", timeout: .seconds(20)) {
                $0.first?.value == 2
            }
            #expect(recorded.first?.value == 2, "the recording rule: \(recorded)")
            let byState = try await prometheus.query("sum by (status) (nadi_devices{job=\"nadid\",region=\"16.71\"})")
            #expect(byState.first { $0.labels["status"] == "up" }?.value == 20, "\(byState)")
            #expect(byState.first { $0.labels["status"] == "down" }?.value == 2, "\(byState)")

            // Every rule loaded and evaluates without error; the silent-devices alert is pending for 16.71.
            let rules = try await prometheus.rules()
            #expect(rules.count == 12, "\(rules)")
            for rule in rules { #expect(rule.health == "ok", "rule \(rule.name): \(rule.health) \(rule.lastError ?? "")") }
            let alerts = try await prometheus.waitForAlert("NadiDevicesSilent", timeout: .seconds(20))
            #expect(alerts.contains { $0["region"] == "16.71" }, "\(alerts)")

            // promtool's lint of the live scrape: names, units, _total, help texts.
            let scrape = await nadid.get("/metrics")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-metrics-\(UUID().uuidString.prefix(6)).txt")
            try scrape.body.write(to: file, atomically: true, encoding: .utf8)
            let lint = try await ToolRun.shell("promtool check metrics < '\(file.path)'")
            #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics:\n\(lint.output)")
            #expect(scrape.body.contains("nadi_http_requests_total"), "Hummingbird's request metrics under Nadi's names")
            #expect(
                scrape.body.contains("nadi_audit_events_last_hour{actor=\"token:"), "the inventory's changes, by the token that made them")

            // Every query of the Grafana dashboard parses and runs, and names only metrics nadid exports.
            let exported = Set(MetricCatalog.entries.values.map(\.name))
            let queries = try Self.dashboardQueries()
            #expect(queries.count >= 15)
            for query in queries {
                let concrete = query.replacingOccurrences(of: "$__rate_interval", with: "30s")
                    .replacingOccurrences(of: "$job", with: "nadid").replacingOccurrences(of: "$region", with: ".*")
                await #expect(throws: Never.self, "dashboard query runs: \(concrete)") { _ = try await prometheus.query(concrete) }
                for name in Self.metricNames(in: query) {
                    #expect(exported.contains(name), "dashboard names '\(name)', which nadid does not export")
                }
            }
        }
    }

    /// Every `expr` of the dashboard's panels.
    static func dashboardQueries() throws -> [String] {
        struct Dashboard: Decodable {
            struct Panel: Decodable {
                struct Target: Decodable { var expr: String }
                var targets: [Target]?
            }
            var panels: [Panel]
        }
        let dashboard = try JSONDecoder().decode(Dashboard.self, from: Data(contentsOf: Self.dashboard))
        return dashboard.panels.flatMap { $0.targets ?? [] }.map(\.expr)
    }

    /// The `nadi_…` metric names a query reads (histogram series by their family name).
    static func metricNames(in query: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(query)
        while let range = rest.range(of: "nadi_") {
            let name = rest[range.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            var family = String(name)
            for suffix in ["_bucket", "_sum", "_count"] where family.hasSuffix(suffix) { family.removeLast(suffix.count) }
            names.insert(family)
            rest = rest[name.endIndex...]
        }
        return names
    }
}

/// A Prometheus server run by a test: scrapes one nadid every second with Nadi's rules loaded.
struct PrometheusServer: Sendable {
    struct Sample: Sendable, CustomStringConvertible {
        var labels: [String: String]
        var value: Double
        var description: String { "\(labels) \(value)" }
    }

    struct Rule: Sendable {
        var name: String
        var health: String
        var lastError: String?
    }

    let port: Int
    let process: SpawnedProcess
    let directory: URL

    static func start(scraping target: Int, rules: URL) async throws -> PrometheusServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-prom-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(rules.path)
            scrape_configs:
              - job_name: nadid
                static_configs:
                  - targets: ["127.0.0.1:\(target)"]
            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let port = ChildProcess.freePort()
        let process = try SpawnedProcess(
            executable: "/usr/bin/prometheus",
            arguments: [
                "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ])
        let server = PrometheusServer(port: port, process: process, directory: directory)
        for _ in 0..<300 {
            if let url = URL(string: "http://127.0.0.1:\(port)/-/ready"), let (_, response) = try? await URLSession.shared.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return server
            }
            if await process.wait(timeout: .zero) != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw ChildProcessError(description: "Prometheus did not become ready: \(process.output.suffix(2000))")
    }

    func stop() {
        process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    /// An instant query (now, or at `time`); a query Prometheus refuses throws with its error.
    func query(_ promQL: String, at time: Date? = nil) async throws -> [Sample] {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")
        components?.queryItems =
            [URLQueryItem(name: "query", value: promQL)]
            + (time.map { [URLQueryItem(name: "time", value: String($0.timeIntervalSince1970))] } ?? [])
        guard let url = components?.url else { throw ChildProcessError(description: "bad query \(promQL)") }
        let (data, _) = try await URLSession.shared.data(from: url)
        struct Answer: Decodable {
            struct Result: Decodable {
                var metric: [String: String]
                var value: [ValuePart]
            }
            struct Payload: Decodable {
                var resultType: String
                var result: [Result]
            }
            var status: String
            var data: Payload?
            var error: String?
        }
        let answer = try JSONDecoder().decode(Answer.self, from: data)
        guard answer.status == "success", let payload = answer.data else {
            throw ChildProcessError(description: "Prometheus refused '\(promQL)': \(answer.error ?? String(decoding: data, as: UTF8.self))")
        }
        return payload.result.map { result in
            Sample(labels: result.metric, value: result.value.last.flatMap { $0.text.flatMap(Double.init) } ?? .nan)
        }
    }

    /// Queries until `done` holds or `timeout` passes; the last answer.
    func waitFor(_ promQL: String, timeout: Duration, until done: ([Sample]) -> Bool) async throws -> [Sample] {
        let deadline = ContinuousClock.now + timeout
        var last = try await query(promQL)
        while !done(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            last = try await query(promQL)
        }
        return last
    }

    /// The rules Prometheus loaded, with their health.
    func rules() async throws -> [Rule] {
        guard let url = URL(string: "http://127.0.0.1:\(port)/api/v1/rules") else { return [] }
        let (data, _) = try await URLSession.shared.data(from: url)
        struct Answer: Decodable {
            struct Group: Decodable {
                struct Entry: Decodable {
                    var name: String
                    var health: String
                    var lastError: String?
                }
                var rules: [Entry]
            }
            struct Payload: Decodable { var groups: [Group] }
            var data: Payload
        }
        return try JSONDecoder().decode(Answer.self, from: data).data.groups.flatMap(\.rules).map {
            Rule(name: $0.name, health: $0.health, lastError: $0.lastError)
        }
    }

    /// The labels of the alerts named `name` (pending or firing), waiting up to `timeout` for one.
    func waitForAlert(_ name: String, timeout: Duration) async throws -> [[String: String]] {
        let deadline = ContinuousClock.now + timeout
        struct Answer: Decodable {
            struct Alert: Decodable { var labels: [String: String] }
            struct Payload: Decodable { var alerts: [Alert] }
            var data: Payload
        }
        while true {
            guard let url = URL(string: "http://127.0.0.1:\(port)/api/v1/alerts") else { return [] }
            let (data, _) = try await URLSession.shared.data(from: url)
            let alerts = try JSONDecoder().decode(Answer.self, from: data).data.alerts.map(\.labels).filter { $0["alertname"] == name }
            if !alerts.isEmpty || ContinuousClock.now >= deadline { return alerts }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

/// One element of a Prometheus `[timestamp, "value"]` pair.
struct ValuePart: Decodable, Sendable {
    var text: String?
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        text = try? container.decode(String.self)
    }
}
