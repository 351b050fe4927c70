import Foundation
import NadiCore
import NadiSupport
import Subprocess
import SystemPackage

/// ICMP echo through Debian's `fping`, which holds `cap_net_raw` itself, so nadid needs neither
/// root nor a raw socket. Three echoes 200 ms apart; the loss and the mean round trip become
/// metrics; all three lost is `down`.
struct ICMPProber: Sendable {
    let fping: ExternalTool
    var count = 3

    /// What the echoes found.
    struct Reading: Sendable, Equatable {
        var lossPercent: Double
        var rttMs: Double?
    }

    /// Pings `address` (an IP address, resolved and checked by the caller).
    func probe(_ address: String, timeoutMilliseconds: Int) async -> Prober.Outcome {
        let arguments = ["-C", String(count), "-q", "-p", "200", "-t", String(timeoutMilliseconds), "-r", "0", address]
        let reading: Reading?
        do {
            let result = try await withDeadline(.milliseconds(timeoutMilliseconds * 2 + 200 * count + 2000)) {
                try await run(
                    .path(FilePath(fping.path)), arguments: Arguments(arguments), output: .discarded, error: .string(limit: 64 << 10))
            }
            reading = Self.read(result.standardError, count: count)
        } catch {
            reading = nil
        }
        guard let reading else { return Prober.Outcome(status: .down, reason: "icmp probe: fping gave no answer") }
        let metrics: [String: JSONValue] = [
            "loss_pct": .number(reading.lossPercent), "rtt_ms": reading.rttMs.map { .number(($0 * 100).rounded() / 100) } ?? .null,
        ]
        guard reading.lossPercent < 100 else {
            return Prober.Outcome(status: .down, reason: "icmp probe: no echo reply", metricsJSON: JSONValue.object(metrics).jsonText)
        }
        return Prober.Outcome(status: .up, latencyMs: reading.rttMs, metricsJSON: JSONValue.object(metrics).jsonText)
    }

    /// Reads `fping -C`'s summary line, `10.1.2.3 : 0.51 0.47 -` (a `-` is a lost echo).
    static func read(_ output: String, count: Int) -> Reading? {
        for line in output.split(separator: "\n") {
            guard let colon = line.range(of: " : ") else { continue }
            let values = line[colon.upperBound...].split(separator: " ")
            guard !values.isEmpty else { continue }
            let times = values.compactMap { Double($0) }
            let lost = values.count - times.count
            return Reading(
                lossPercent: Double(lost) / Double(values.count) * 100,
                rttMs: times.isEmpty ? nil : times.reduce(0, +) / Double(times.count))
        }
        return nil
    }
}
