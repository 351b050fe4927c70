/// A masterplan milestone: by `year`, reach `value`.
package struct Milestone: Equatable, Sendable, Codable {
    package var year: Int
    package var value: Double

    package init(year: Int, value: Double) {
        self.year = year
        self.value = value
    }
}

/// The masterplan's target for a year, from its milestones (DESIGN.md "Coverage").
package enum MilestoneMath {
    /// The target in `year`: the milestone of that year; between two milestones, linear
    /// interpolation by year; before the first, the first; after the last, the last.
    /// Nil when there are no milestones.
    package static func target(in year: Int, milestones: [Milestone]) -> Double? {
        let sorted = milestones.sorted { $0.year < $1.year }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        if year <= first.year { return first.value }
        if year >= last.year { return last.value }
        for (lower, upper) in zip(sorted, sorted.dropFirst()) where lower.year <= year && year <= upper.year {
            if lower.year == year { return lower.value }
            if upper.year == year { return upper.value }
            let fraction = Double(year - lower.year) / Double(upper.year - lower.year)
            return lower.value + (upper.value - lower.value) * fraction
        }
        return last.value
    }

    /// The first milestone in or after `year`, or nil.
    package static func next(after year: Int, milestones: [Milestone]) -> Milestone? {
        milestones.filter { $0.year >= year }.min { $0.year < $1.year }
    }
}

/// Whether a region met its target.
package enum CoverageStatus: String, Codable, Sendable, CaseIterable {
    case met
    case behind
    case noTarget = "no_target"

    /// `met` when achieved ≥ target, `behind` otherwise, `no_target` without a target.
    package init(achieved: Double, target: Double?) {
        guard let target else {
            self = .noTarget
            return
        }
        self = achieved >= target ? .met : .behind
    }
}

extension MilestoneMath {
    /// 100 × achieved ÷ target; nil without a target. A zero target counts as fully achieved.
    package static func achievementPercent(achieved: Double, target: Double?) -> Double? {
        guard let target else { return nil }
        guard target > 0 else { return 100 }
        return 100 * achieved / target
    }
}
