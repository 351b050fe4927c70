package import Foundation
package import NIOCore
import NadiBench
import NadiCore
package import NadiStore
import NadiSupport
import NadiTestSupport
import PostgresNIO
import Testing

/// The load of the crash tests: batches of unique pings for devices CRASH-0…49, each sent until it
/// is acknowledged, with a ledger of what was.
package enum LedgerSender {
    /// Batch `batch` of `sender`: `size` unique pings a millisecond apart, each sender its own 100 s
    /// from `start`; the ledger keys and the JSON array.
    package static func batch(sender: Int, batch: Int, size: Int, start: Date) -> (keys: [String], body: ByteBuffer) {
        let pings = (0..<size).map { n -> (String, String) in
            let micros = Timestamp.microseconds(start) + Int64(sender) * 100_000_000 + Int64((batch * size + n) * 1000)
            let at = Timestamp.rfc3339(microseconds: micros)
            return ("CRASH-\(n % 50)|\(micros)", #"{"device":"CRASH-\#(n % 50)","at":"\#(at)","status":"up"}"#)
        }
        return (pings.map(\.0), ByteBuffer(string: "[\(pings.map(\.1).joined(separator: ","))]"))
    }

    /// POSTs `body` to `/v1/pings` until it gets a 200 — a fresh connection per try (none left over
    /// from a killed nadid) and a deadline per attempt (a dead peer cannot stall the sender) — and
    /// returns the answer; fails the test after `giveUpAfter` (`context` says what the daemon printed).
    package static func untilAcknowledged(
        port: Int, token: String, body: ByteBuffer, attempt: Duration = .seconds(10), giveUpAfter: Duration = .seconds(120),
        context: @Sendable () -> String
    ) async throws -> Outcome {
        let deadline = ContinuousClock.now + giveUpAfter
        while true {
            let answer = try? await withDeadline(attempt) {
                try await HTTPConnection.with(host: "127.0.0.1", port: port) { http in
                    try await http.post(
                        "/v1/pings", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)")], body: body)
                }
            }
            if let answer, answer.status == 200,
                let outcome = try? JSONDecoder().decode(Outcome.self, from: Data(answer.body.readableBytesView))
            {
                try #require(outcome.rejected.isEmpty, "pings rejected: \(outcome.rejected.prefix(2))")
                return outcome
            }
            try #require(ContinuousClock.now < deadline, "a batch was never acknowledged: \(context())")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The stored pings as ledger keys (`device|microseconds`) and how many rows there are (more rows
    /// than keys would mean a ping stored twice).
    package static func stored(_ url: DatabaseURL) async throws -> (rows: Int, keys: Set<String>) {
        try await TestClient.with(url) { client async throws in
            var keys = Set<String>()
            var rows = 0
            for try await (device, at) in try await client.query(
                "SELECT d.external_id, p.observed_at FROM ping p JOIN device d ON d.id = p.device_id"
            ).decode((String, PostgresTimestamp).self) {
                keys.insert("\(device)|\(at.microseconds)")
                rows += 1
            }
            return (rows, keys)
        }
    }
}
