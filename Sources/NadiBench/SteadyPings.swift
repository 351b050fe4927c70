import Foundation
import NIOCore
import NadiCore

/// One ping at a time at a steady rate over one keep-alive connection, each timed from send to
/// acknowledgement: the stream whose latency the login-flood and picture benchmarks watch.
enum SteadyPings {
    /// Sends pings naming `devices` in turn at `perSecond` until `deadline`; returns the
    /// acknowledgement times and how many pings were not acknowledged.
    static func send(
        host: String, port: Int, token: String, devices: [String], perSecond: Int, until deadline: ContinuousClock.Instant
    ) async throws -> (latencies: LatencySample, failed: Int) {
        var latencies = LatencySample()
        var failed = 0
        let gap = Duration.milliseconds(1000 / max(1, perSecond))
        var next = ContinuousClock.now
        var index = 0
        try await HTTPConnection.with(host: host, port: port) { http in
            while ContinuousClock.now < deadline {
                let device = devices[index % devices.count]
                index += 1
                let body = #"[{"device":"\#(device)","at":"\#(Timestamp.format(Date()))","status":"up"}]"#
                let sent = ContinuousClock.now
                let answer = try await http.post(
                    "/v1/pings", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")],
                    body: ByteBuffer(string: body))
                if answer.status == 200 { latencies.add(ContinuousClock.now - sent) } else { failed += 1 }
                next = next + gap
                let now = ContinuousClock.now
                if next > now { try await Task.sleep(until: next) } else { next = now }
            }
        }
        return (latencies, failed)
    }
}
