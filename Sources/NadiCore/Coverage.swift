/// One row of the coverage report (the JSON contract of `nadi coverage --format json` and
/// `GET /v1/coverage`).
package struct CoverageRow: Codable, Sendable, Equatable {
    package var region: String
    package var name: String
    package var level: String
    package var kind: DeviceKind
    package var metric: TargetMetric
    package var target: Double?
    package var installed: Int
    package var operational: Int
    package var achieved: Double
    package var achievementPct: Double?
    package var status: CoverageStatus
    package var nextMilestone: Milestone?
    /// For `schools_pct`: the schools under the region, and those with an operational camera (the
    /// percentage's denominator and numerator); nil for other metrics.
    package var schools: Int?
    package var schoolsCovered: Int?

    enum CodingKeys: String, CodingKey {
        case region, name, level, kind, metric, target, installed, operational, achieved, status, schools
        case achievementPct = "achievement_pct"
        case nextMilestone = "next_milestone"
        case schoolsCovered = "schools_covered"
    }

    package init(
        region: String, name: String, level: String, kind: DeviceKind, metric: TargetMetric, target: Double?, installed: Int,
        operational: Int, achieved: Double, nextMilestone: Milestone?, schools: Int? = nil, schoolsCovered: Int? = nil
    ) {
        self.schools = schools
        self.schoolsCovered = schoolsCovered
        self.region = region
        self.name = name
        self.level = level
        self.kind = kind
        self.metric = metric
        self.target = target
        self.installed = installed
        self.operational = operational
        self.achieved = achieved
        self.achievementPct = MilestoneMath.achievementPercent(achieved: achieved, target: target)
        self.status = CoverageStatus(achieved: achieved, target: target)
        self.nextMilestone = nextMilestone
    }

    // Encode nil fields as null (the contract lists them), not leave them out.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(region, forKey: .region)
        try container.encode(name, forKey: .name)
        try container.encode(level, forKey: .level)
        try container.encode(kind, forKey: .kind)
        try container.encode(metric, forKey: .metric)
        try container.encode(target, forKey: .target)
        try container.encode(installed, forKey: .installed)
        try container.encode(operational, forKey: .operational)
        try container.encode(achieved, forKey: .achieved)
        try container.encode(achievementPct, forKey: .achievementPct)
        try container.encode(status, forKey: .status)
        try container.encode(nextMilestone, forKey: .nextMilestone)
        try container.encode(schools, forKey: .schools)
        try container.encode(schoolsCovered, forKey: .schoolsCovered)
    }
}

/// When a camera covers a school for `schools_pct`.
package enum SchoolRule: String, Codable, Sendable, Equatable {
    /// A camera at the school is operational (the default).
    case operationalCamera = "operational_camera"
    /// A camera at the school shows a good picture now (`--require-good-image`): checked, and not
    /// black, frozen, blurred or too slow (`nadi_good_picture`).
    case goodPicture = "good_picture"
}

/// The whole coverage report.
package struct CoverageReport: Codable, Sendable, Equatable {
    package var asOf: CalendarDay
    package var year: Int
    package var rows: [CoverageRow]
    /// The rule `schools_covered` was counted by.
    package var schoolsRule: SchoolRule = .operationalCamera

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case schoolsRule = "schools_rule"
        case year, rows
    }

    package init(asOf: CalendarDay, year: Int, rows: [CoverageRow], schoolsRule: SchoolRule = .operationalCamera) {
        self.asOf = asOf
        self.year = year
        self.rows = rows
        self.schoolsRule = schoolsRule
    }
}

/// Masterplan targets over the region tree: a region's own milestones, or — for `units` and `km`
/// — the sum of its children's targets when it has none of its own (recursively).
package struct TargetTree: Sendable {
    package struct Key: Hashable, Sendable {
        package var region: RegionCode
        package var kind: DeviceKind
        package var metric: TargetMetric

        package init(region: RegionCode, kind: DeviceKind, metric: TargetMetric) {
            self.region = region
            self.kind = kind
            self.metric = metric
        }
    }

    let milestones: [Key: [Milestone]]
    let children: [RegionCode: [RegionCode]]

    /// - Parameters:
    ///   - milestones: every region's own milestones.
    ///   - children: the region tree (parent → children) below the regions of interest.
    package init(milestones: [Key: [Milestone]], children: [RegionCode: [RegionCode]]) {
        self.milestones = milestones
        self.children = children
    }

    /// The target of `key` in `year`, or nil when neither the region nor (for units/km) any
    /// descendant has a milestone.
    package func target(_ key: Key, year: Int) -> Double? {
        if let own = milestones[key], !own.isEmpty { return MilestoneMath.target(in: year, milestones: own) }
        guard key.metric != .schoolsPct else { return nil }
        var sum: Double?
        for child in children[key.region] ?? [] {
            if let value = target(Key(region: child, kind: key.kind, metric: key.metric), year: year) {
                sum = (sum ?? 0) + value
            }
        }
        return sum
    }

    /// The next milestone in or after `year`: the region's own, or for a summed target the first
    /// year any descendant has a milestone, with the summed target of that year.
    package func nextMilestone(_ key: Key, year: Int) -> Milestone? {
        if let own = milestones[key], !own.isEmpty { return MilestoneMath.next(after: year, milestones: own) }
        guard key.metric != .schoolsPct else { return nil }
        guard let nextYear = milestoneYears(key).filter({ $0 >= year }).min(), let value = target(key, year: nextYear) else {
            return nil
        }
        return Milestone(year: nextYear, value: value)
    }

    /// Every milestone of `key`: its own, or for a summed target one per year any descendant has
    /// a milestone, valued at the summed target of that year. Oldest first.
    package func milestones(_ key: Key) -> [Milestone] {
        milestoneYears(key).sorted().compactMap { year in target(key, year: year).map { Milestone(year: year, value: $0) } }
    }

    private func milestoneYears(_ key: Key) -> Set<Int> {
        if let own = milestones[key], !own.isEmpty { return Set(own.map(\.year)) }
        var years = Set<Int>()
        for child in children[key.region] ?? [] {
            years.formUnion(milestoneYears(Key(region: child, kind: key.kind, metric: key.metric)))
        }
        return years
    }
}
