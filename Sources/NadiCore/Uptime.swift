public import Foundation

/// Time a device spent operational and known within a window.
public struct UptimeTally: Equatable, Sendable {
    /// Seconds `up` or `degraded`.
    public var operational: TimeInterval
    /// Seconds with any known state (everything but `unknown`).
    public var known: TimeInterval

    public init(operational: TimeInterval = 0, known: TimeInterval = 0) {
        self.operational = operational
        self.known = known
    }

    /// 100 × operational ÷ known; nil when nothing is known.
    public var percent: Double? { known > 0 ? 100 * operational / known : nil }

    public static func + (lhs: UptimeTally, rhs: UptimeTally) -> UptimeTally {
        UptimeTally(operational: lhs.operational + rhs.operational, known: lhs.known + rhs.known)
    }
}
