import Foundation
import NadiCore

/// Durations collected during a benchmark, summarised by percentiles.
package struct LatencySample: Sendable {
    private(set) var milliseconds: [Double] = []

    package init() {}

    mutating func add(_ duration: Duration) {
        milliseconds.append(duration.milliseconds)
    }

    mutating func merge(_ other: LatencySample) {
        milliseconds += other.milliseconds
    }

    /// The `p`-th percentile (0…100) by the nearest-rank method; 0 when empty.
    package func percentile(_ p: Double) -> Double {
        guard !milliseconds.isEmpty else { return 0 }
        let sorted = milliseconds.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }

    package var count: Int { milliseconds.count }
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
package func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension ReportBenchmark {
    /// The time since `start` as people read it: "2.4 s", "350 ms".
    static func elapsed(since start: ContinuousClock.Instant) -> String { BenchTime.text(ContinuousClock.now - start) }
}

extension ConsoleBenchmark {
    static func elapsed(since start: ContinuousClock.Instant) -> String { BenchTime.text(ContinuousClock.now - start) }
}

/// Durations in benchmark output, rounded for people.
enum BenchTime {
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        return milliseconds < 1000 ? String(format: "%.0f ms", milliseconds) : String(format: "%.1f s", milliseconds / 1000)
    }
}
