package import Foundation
package import NadiCore

/// DESIGN.md's timeline written out directly (not `Timeline.runs`), for tests to compare stored
/// intervals with: every ping's status from its time, silence from one interval after a ping
/// followed by a gap longer than miss count × interval (or by `now`), equal neighbours merged.
package enum HandTimeline {
    /// `pings` as (time, status: "up" | "degraded" | "down"), in any order.
    package static func runs(_ pings: [(at: Date, status: String)], interval: TimeInterval, missCount: Int, now: Date) -> [StateRun] {
        let sorted = pings.sorted { $0.at < $1.at }
        var pieces: [(status: DeviceStatus, silent: Bool, start: Date)] = []
        for (index, ping) in sorted.enumerated() {
            let status: DeviceStatus = ping.status == "up" ? .up : ping.status == "degraded" ? .degraded : .down
            pieces.append((status, false, ping.at))
            let next = index + 1 < sorted.count ? sorted[index + 1].at : now
            if next.timeIntervalSince(ping.at) > interval * Double(missCount) {
                pieces.append((.down, true, ping.at.addingTimeInterval(interval)))
            }
        }
        var runs: [StateRun] = []
        for piece in pieces {
            if let last = runs.last, last.status == piece.status, last.isSilent == piece.silent { continue }
            if !runs.isEmpty { runs[runs.count - 1].end = piece.start }
            runs.append(StateRun(status: piece.status, reason: piece.silent ? StatusReason.silent : nil, start: piece.start))
        }
        return runs
    }
}
