import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends prepared `POST /v1/pings` bodies over several keep-alive connections at once, the way many
/// agents would, and tallies what nadid answered.
struct PingSender: Sendable {
    /// What the senders saw.
    struct Tally: Sendable {
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var firstRejection: String?
        /// 503 answers that were retried after Retry-After.
        var retries = 0
        var latency = LatencySample()

        mutating func merge(_ other: Tally) {
            accepted += other.accepted
            duplicates += other.duplicates
            rejected += other.rejected
            firstRejection = firstRejection ?? other.firstRejection
            retries += other.retries
            latency.merge(other.latency)
        }
    }

    let host: String
    let port: Int
    let token: String
    let connections: Int
    /// `application/x-ndjson` or `application/json`, as the bodies are written.
    var contentType = "application/x-ndjson"

    /// Sends every body once (a 503 is retried). With `spacing`, body `n` is sent no earlier than
    /// `n × spacing` after the start and its latency counts from then (open loop, so a slow answer
    /// cannot hide the wait it causes); without it, each connection sends as fast as it is answered.
    func send(_ bodies: [ByteBuffer], spacing: Duration? = nil) async throws -> (Tally, Duration) {
        let cursor = Cursor()
        let started = ContinuousClock.now
        let tally = try await withThrowingTaskGroup(of: Tally.self) { group in
            for _ in 0..<connections {
                group.addTask { [self] in
                    try await HTTPConnection.with(host: host, port: port) { http in
                        var tally = Tally()
                        while let index = cursor.next(below: bodies.count) {
                            var sentAt = ContinuousClock.now
                            if let spacing {
                                sentAt = started + spacing * index
                                try await Task.sleep(until: sentAt)
                            }
                            try await post(bodies[index], over: http, into: &tally)
                            tally.latency.add(ContinuousClock.now - sentAt)
                        }
                        return tally
                    }
                }
            }
            var total = Tally()
            for try await part in group { total.merge(part) }
            return total
        }
        return (tally, ContinuousClock.now - started)
    }

    private func post(_ body: ByteBuffer, over http: HTTPConnection.Requester, into tally: inout Tally) async throws {
        let headers = [("Content-Type", contentType), ("Authorization", "Bearer \(token)")]
        while true {
            let response = try await http.send(method: .POST, path: "/v1/pings", headers: headers, body: body)
            switch response.status {
            case 200:
                let outcome = try JSONDecoder().decode(BatchAnswer.self, from: Data(response.body.readableBytesView))
                tally.accepted += outcome.accepted
                tally.duplicates += outcome.duplicates
                tally.rejected += outcome.rejected.count
                if let first = outcome.rejected.first, tally.firstRejection == nil {
                    tally.firstRejection = "#\(first.index): \(first.error)"
                }
                return
            case 503:
                tally.retries += 1
                let wait = response.headers.first { $0.0.lowercased() == "retry-after" }.flatMap { Int($0.1) } ?? 1
                try await Task.sleep(for: .seconds(max(1, min(wait, 30))))
            default:
                throw BenchError("nadid answered \(response.status) to POST /v1/pings: \(response.text.prefix(300))")
            }
        }
    }
}

/// The answer to a batch POST.
struct BatchAnswer: Decodable {
    struct Rejection: Decodable {
        var index: Int
        var error: String
    }
    var accepted: Int
    var duplicates: Int
    var rejected: [Rejection]
}

/// Hands out body indexes to the senders, each once.
final class Cursor: Sendable {
    private let position = Atomic<Int>(0)

    func next(below limit: Int) -> Int? {
        let index = position.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < limit ? index : nil
    }
}

/// A benchmark that cannot go on, with the reason.
package struct BenchError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
