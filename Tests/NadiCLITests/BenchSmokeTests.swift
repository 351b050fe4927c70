import Foundation
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The benchmarks, run tiny so they do not rot (their figures mean nothing at this size).
@Suite("nadi bench smoke runs", .serialized)
struct BenchSmokeTests {
    static func run(_ arguments: [String], timeout: Duration) async throws -> (status: Int32?, output: String) {
        let url = try await TestCluster.shared.migratedDatabase()
        let socket = url.endpoint.socketPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ""
        let process = try ChildProcess(
            product: "nadi",
            arguments: arguments + ["--database-url", "postgres://\(url.username)@/\(url.database ?? "")?host=\(socket)"])
        return (await process.wait(timeout: timeout), process.output)
    }

    @Test("bench ingest: registers a fleet, sends pings to a real nadid, COPYs the same rows, ends with the ratio line")
    func ingest() async throws {
        let (status, output) = try await Self.run(
            ["bench", "ingest", "--devices", "200", "--pings", "2000", "--batch", "100", "--connections", "2", "--rounds", "1"],
            timeout: .seconds(180))
        #expect(status == 0, "\(output.suffix(2000))")
        #expect(output.contains("acknowledged 4000, stored 4000, rejected 0"), "\(output.suffix(1500))")
        #expect(output.contains("nadid peak RSS: "))
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.range(of: #"^ratio nadid/COPY: [0-9]+\.[0-9]{2}$"#, options: .regularExpression) != nil, "last line: \(last)")
    }

    @Test(
        "bench ingest --body json --late-percent 5 --change-every 500: the workload it ran is printed, every acknowledged ping stored once")
    func ingestJSONArraysWithLatePings() async throws {
        let (status, output) = try await Self.run(
            [
                "bench", "ingest", "--devices", "200", "--pings", "2000", "--batch", "100", "--connections", "2", "--rounds", "1",
                "--body", "json", "--late-percent", "5", "--change-every", "500",
            ],
            timeout: .seconds(180))
        #expect(status == 0, "\(output.suffix(2000))")
        #expect(
            output.contains("a status change every 500 pings of a device, 5.0 % sent late, JSON-array bodies"), "\(output.prefix(1500))")
        #expect(output.contains("acknowledged 4000, stored 4000, rejected 0, duplicates 0"), "\(output.suffix(1500))")
    }

    @Test("bench reports: builds the synthetic state, times both reports at two volumes, ends with the ratio line")
    func reports() async throws {
        let (status, output) = try await Self.run(
            ["bench", "reports", "--devices", "1000", "--pings-per-device", "1", "--rounds", "1"], timeout: .seconds(180))
        #expect(status == 0, "\(output.suffix(2000))")
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.range(of: #"^ratio 10x/1x: [0-9]+\.[0-9]{2}$"#, options: .regularExpression) != nil, "last line: \(last)")
        // The timing with outages did split some devices' down time by cause.
        let outages = output.split(separator: "\n").first { $0.hasPrefix("with outages to split") }.map(String.init) ?? ""
        let split = outages.firstMatch(of: /; ([0-9]+) devices' down time split by cause$/).flatMap { Int($0.1) }
        #expect((split ?? 0) > 0, "\(outages)")
    }

    @Test("bench login-flood: pings alone and under a flood of failed logins, figures for both and the p99 line")
    func loginFlood() async throws {
        let (status, output) = try await Self.run(
            ["bench", "login-flood", "--seconds", "2", "--pings-per-second", "10", "--flood-connections", "2", "--devices", "5"],
            timeout: .seconds(180))
        #expect(status == 0, "\(output.suffix(2000))")
        #expect(output.contains("alone: ") && output.contains("with a 2-connection login flood: "), "\(output.suffix(1500))")
        #expect(output.contains("logins answered HTTP 401") || output.contains("logins answered HTTP 429"), "\(output.suffix(1500))")
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("ping ack p99: "), "last line: \(last)")
    }

    @Test("nadi bench stopped by SIGTERM stops the embedded PostgreSQL it started and exits 143; figures are rounded for people")
    func stoppedBySignal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-bench-sig-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try ChildProcess(
            product: "nadi", arguments: ["bench", "reports", "--devices", "20000", "--rounds", "3", "--state-dir", directory.path])
        defer { process.send(SIGKILL) }
        let pidFile = directory.appendingPathComponent("pg/postmaster.pid")
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline, !process.output.contains("fleet:") {
            try await Task.sleep(for: .milliseconds(100))
        }
        let fleet = process.output.split(separator: "\n").first { $0.hasPrefix("fleet:") }.map(String.init) ?? ""
        #expect(fleet.range(of: #"\(([0-9]+ ms|[0-9]+\.[0-9] s)\)$"#, options: .regularExpression) != nil, "\(fleet)")
        let server = try #require(
            (try? String(contentsOf: pidFile, encoding: .utf8))?.split(separator: "\n").first.flatMap { Int32($0) },
            "the embedded server runs: \(process.output)")
        process.send(SIGTERM)
        #expect(await process.wait(timeout: .seconds(60)) == 143, "\(process.output.suffix(1000))")
        // The server removes its pid file last; give the exited process a moment to be reaped.
        for _ in 0..<50 where kill(server, 0) == 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(kill(server, 0) != 0, "the embedded PostgreSQL (pid \(server)) outlived nadi")
        #expect(!FileManager.default.fileExists(atPath: pidFile.path))
    }
}
