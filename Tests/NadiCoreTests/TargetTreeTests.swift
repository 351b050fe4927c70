import NadiCore
import Testing

@Suite("Masterplan targets")
struct TargetTreeTests {
    let milestones = [Milestone(year: 2024, value: 100), Milestone(year: 2028, value: 500)]

    @Test(
        "a milestone year gives its value, years between interpolate linearly, before the first and after the last clamp",
        arguments: [(2022, 100.0), (2024, 100.0), (2025, 200.0), (2026, 300.0), (2027, 400.0), (2028, 500.0), (2031, 500.0)])
    func interpolation(year: Int, expected: Double) {
        #expect(MilestoneMath.target(in: year, milestones: milestones) == expected)
    }

    @Test("the next milestone is the first in or after the year; none after the last")
    func nextMilestone() {
        #expect(MilestoneMath.next(after: 2025, milestones: milestones) == Milestone(year: 2028, value: 500))
        #expect(MilestoneMath.next(after: 2028, milestones: milestones) == Milestone(year: 2028, value: 500))
        #expect(MilestoneMath.next(after: 2029, milestones: milestones) == nil)
    }

    @Test("a region without its own units/km milestone sums its children's targets; schools_pct does not sum")
    func childrenSum() throws {
        let city = try #require(RegionCode("16.71"))
        let a = try #require(RegionCode("16.71.01"))
        let b = try #require(RegionCode("16.71.02"))
        let tree = TargetTree(
            milestones: [
                .init(region: a, kind: .cctv, metric: .units): [Milestone(year: 2025, value: 2), Milestone(year: 2027, value: 4)],
                .init(region: b, kind: .cctv, metric: .units): [Milestone(year: 2026, value: 5)],
                .init(region: a, kind: .cctv, metric: .schoolsPct): [Milestone(year: 2026, value: 50)],
            ],
            children: [city: [a, b]])
        #expect(tree.target(.init(region: city, kind: .cctv, metric: .units), year: 2026) == 8.0, "3 (interpolated) + 5")
        #expect(
            tree.target(.init(region: city, kind: .cctv, metric: .units), year: 2025) == 7.0, "2 (first milestone) + 5 (before the first)")
        #expect(tree.nextMilestone(.init(region: city, kind: .cctv, metric: .units), year: 2026) == Milestone(year: 2026, value: 8))
        #expect(tree.nextMilestone(.init(region: city, kind: .cctv, metric: .units), year: 2027) == Milestone(year: 2027, value: 9))
        #expect(tree.target(.init(region: city, kind: .cctv, metric: .schoolsPct), year: 2026) == nil)
        #expect(tree.target(.init(region: city, kind: .fiberLink, metric: .km), year: 2026) == nil)
    }

    @Test("status is met at or above the target, behind below it, no_target without one")
    func status() {
        #expect(CoverageStatus(achieved: 8, target: 8) == .met)
        #expect(CoverageStatus(achieved: 7.9, target: 8) == .behind)
        #expect(CoverageStatus(achieved: 3, target: nil) == .noTarget)
        #expect(MilestoneMath.achievementPercent(achieved: 1, target: 8) == 12.5)
    }
}

@Suite("Region codes")
struct RegionCodeTests {
    @Test("codes built from numbers equal the parsed dotted codes")
    func numericInitializer() {
        #expect(RegionCode(16, 71, 1) == RegionCode("16.71.01"))
        #expect(RegionCode(16, 71) == RegionCode("16.71"))
        #expect(RegionCode(19) == RegionCode("19"))
        #expect(RegionCode(16, 71, 1).level == .district)
    }
}
