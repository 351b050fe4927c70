import Foundation
import NadiStore
import NadiTestSupport
import Testing

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

    @Test("bench ingest --body json --late-percent 5: JSON-array bodies with late pings, every acknowledged ping stored once")
    func ingestJSONArraysWithLatePings() async throws {
        let (status, output) = try await Self.run(
            [
                "bench", "ingest", "--devices", "200", "--pings", "2000", "--batch", "100", "--connections", "2", "--rounds", "1",
                "--body", "json", "--late-percent", "5",
            ],
            timeout: .seconds(180))
        #expect(status == 0, "\(output.suffix(2000))")
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
}
