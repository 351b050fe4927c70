import Foundation
import NadiCore
import Testing

@Suite("Rollout trajectory")
struct RolloutTrajectoryTests {
    /// `count` months ending at 2026-12, installed growing by `step` a month from `start`.
    static func points(count: Int, start: Int, step: Int, operational: (Int) -> Int) -> [TrajectoryPoint] {
        (0..<count).map { index in
            let month = 2026 * 12 + 11 - (count - 1 - index)
            let installed = start + step * index
            return TrajectoryPoint(
                month: "\(month / 12)-\(String(format: "%02d", month % 12 + 1))", installed: installed, operational: operational(installed))
        }
    }

    @Test("at the last 12 months' installation pace the next target is reached in the year the arithmetic gives")
    func reached() {
        // 10 installed a month; 300 operational now; the 2028 target of 400 needs 100 more: 10 months → 2027-10.
        let points = Self.points(count: 24, start: 100, step: 10, operational: { $0 - 30 })
        let trajectory = RolloutTrajectory(
            region: "16.71", kind: .cctv, points: points,
            milestones: [Milestone(year: 2028, value: 400), Milestone(year: 2024, value: 50)],
            currentYear: 2026)
        #expect(points.last?.installed == 330)
        #expect(trajectory.projection.outcome == .reached)
        #expect(trajectory.projection.target == Milestone(year: 2028, value: 400))
        #expect(trajectory.projection.pacePerMonth == 10)
        #expect(trajectory.projection.reachedYear == 2027)
        #expect(trajectory.milestones.map(\.year) == [2024, 2028], "milestones oldest first")
    }

    @Test("a gap that takes 14 months at the pace lands in the year after next")
    func reachedLater() {
        let points = Self.points(count: 13, start: 0, step: 5, operational: { $0 })  // 60 operational at 2026-12
        let trajectory = RolloutTrajectory(
            region: "16.71", kind: .cctv, points: points, milestones: [Milestone(year: 2027, value: 130)], currentYear: 2026)
        // 70 more at 5 a month: 14 months after 2026-12 is 2028-02.
        #expect(trajectory.projection.reachedYear == 2028)
    }

    @Test("target already met, stalled pace, and no target")
    func otherOutcomes() {
        let flat = Self.points(count: 18, start: 40, step: 0, operational: { $0 })
        #expect(
            RolloutTrajectory(
                region: "16.71", kind: .videotron, points: flat, milestones: [Milestone(year: 2027, value: 30)], currentYear: 2026
            )
            .projection.outcome == .met)
        let stalled = RolloutTrajectory(
            region: "16.71", kind: .videotron, points: flat, milestones: [Milestone(year: 2027, value: 60)], currentYear: 2026)
        #expect(stalled.projection.outcome == .stalled)
        #expect(stalled.projection.reachedYear == nil)
        #expect(
            RolloutTrajectory(region: "16.71", kind: .videotron, points: flat, milestones: [], currentYear: 2026).projection.outcome
                == .noTarget)
        // All milestones in the past: the last one counts.
        let past = RolloutTrajectory(
            region: "16.71", kind: .videotron, points: flat, milestones: [Milestone(year: 2024, value: 80)], currentYear: 2026)
        #expect(past.projection.target?.year == 2024)
        #expect(past.projection.outcome == .stalled)
    }

    @Test("a series shorter than 12 months measures the pace over what there is; a single month has no pace")
    func shortSeries() {
        let short = Self.points(count: 4, start: 10, step: 3, operational: { $0 })
        let trajectory = RolloutTrajectory(
            region: "16.71", kind: .cctv, points: short, milestones: [Milestone(year: 2030, value: 100)], currentYear: 2026)
        #expect(trajectory.projection.pacePerMonth == 3)
        let single = RolloutTrajectory(
            region: "16.71", kind: .cctv, points: Array(short.suffix(1)), milestones: [Milestone(year: 2030, value: 100)], currentYear: 2026
        )
        #expect(single.projection.outcome == .stalled)
    }
}
