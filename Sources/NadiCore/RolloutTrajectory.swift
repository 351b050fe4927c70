/// One month of a rollout: devices installed and operational at the end of that month.
package struct TrajectoryPoint: Equatable, Sendable, Codable {
    /// `YYYY-MM`.
    package var month: String
    package var installed: Int
    package var operational: Int

    package init(month: String, installed: Int, operational: Int) {
        self.month = month
        self.installed = installed
        self.operational = operational
    }
}

/// Where the rollout is heading at the pace of the last 12 months (DESIGN.md "Rollout trajectory").
package struct TrajectoryProjection: Equatable, Sendable, Codable {
    package enum Outcome: String, Sendable, Codable {
        /// Operational devices already reach the target.
        case met = "target_met"
        /// At the pace, the target is reached in `reachedYear`.
        case reached
        /// The pace is zero or negative: the target is not reached at this pace.
        case stalled
        /// No milestones for this region and kind.
        case noTarget = "no_target"
    }

    package var outcome: Outcome
    /// The milestone projected against: the first in or after this year, else the last one.
    package var target: Milestone?
    /// Devices installed per month over the last 12 months (net of decommissioning).
    package var pacePerMonth: Double
    /// The year the target is reached at that pace (`reached` only).
    package var reachedYear: Int?

    enum CodingKeys: String, CodingKey {
        case outcome, target
        case pacePerMonth = "pace_per_month"
        case reachedYear = "reached_year"
    }
}

/// A region's and kind's rollout against the masterplan.
package struct RolloutTrajectory: Equatable, Sendable, Codable {
    package var region: String
    package var kind: DeviceKind
    package var points: [TrajectoryPoint]
    package var milestones: [Milestone]
    package var projection: TrajectoryProjection

    /// The trajectory of `points` (oldest first; the last is the current month) against `milestones`
    /// of the `units` metric. The pace is the net change in installed devices over the last 12
    /// months (over the whole series when it is shorter), per month: installations are what move a
    /// rollout, and operational history before Nadi was deployed is unknown (counted as not
    /// operational), which would make an operational pace jump. The projection closes the gap
    /// between the target and the devices operational now at that pace.
    package init(region: String, kind: DeviceKind, points: [TrajectoryPoint], milestones: [Milestone], currentYear: Int) {
        self.region = region
        self.kind = kind
        self.points = points
        self.milestones = milestones.sorted { $0.year < $1.year }
        let target = MilestoneMath.next(after: currentYear, milestones: milestones) ?? self.milestones.last
        let now = points.last?.operational ?? 0
        let span = min(12, max(points.count - 1, 0))
        let installedNow = points.last?.installed ?? 0
        let then = points.count > span ? points[points.count - 1 - span].installed : installedNow
        let pace = span > 0 ? Double(installedNow - then) / Double(span) : 0
        guard let target else {
            projection = TrajectoryProjection(outcome: .noTarget, target: nil, pacePerMonth: pace, reachedYear: nil)
            return
        }
        if Double(now) >= target.value {
            projection = TrajectoryProjection(outcome: .met, target: target, pacePerMonth: pace, reachedYear: nil)
        } else if pace <= 0 {
            projection = TrajectoryProjection(outcome: .stalled, target: target, pacePerMonth: pace, reachedYear: nil)
        } else {
            let months = ((target.value - Double(now)) / pace).rounded(.up)
            let (year, month) = Self.yearMonth(points.last?.month) ?? (currentYear, 12)
            let index = year * 12 + (month - 1) + Int(months)
            projection = TrajectoryProjection(outcome: .reached, target: target, pacePerMonth: pace, reachedYear: index / 12)
        }
    }

    /// `YYYY-MM` parsed.
    static func yearMonth(_ text: String?) -> (Int, Int)? {
        guard let parts = text?.split(separator: "-"), parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else {
            return nil
        }
        return (year, month)
    }
}
