/// A `Duration` as the plain numbers that reports, metrics and benchmarks print.
extension Duration {
    /// In milliseconds, with fractions.
    package var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// In seconds, with fractions.
    package var seconds: Double { milliseconds / 1000 }

    /// In whole nanoseconds (what swift-metrics' timers take).
    package var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
