package import Foundation

/// Time a device spent operational and known within a window.
package struct UptimeTally: Equatable, Sendable {
    /// Seconds `up` or `degraded`.
    package var operational: TimeInterval
    /// Seconds with any known state (everything but `unknown`).
    package var known: TimeInterval

    package init(operational: TimeInterval = 0, known: TimeInterval = 0) {
        self.operational = operational
        self.known = known
    }

    /// 100 × operational ÷ known; nil when nothing is known.
    package var percent: Double? { known > 0 ? 100 * operational / known : nil }

    package static func + (lhs: UptimeTally, rhs: UptimeTally) -> UptimeTally {
        UptimeTally(operational: lhs.operational + rhs.operational, known: lhs.known + rhs.known)
    }
}
