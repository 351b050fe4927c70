/// DESIGN.md's coverage roll-up, free of I/O: counts per region (devices installed and operational,
/// operational fiber km, schools and covered schools) summed into every listed region above them,
/// milestones summed up the region tree where a region has none of its own, and one row per listed
/// region, kind and metric that has a target or devices.
package struct CoverageRollup: Sendable {
    struct Tally: Sendable {
        var installed = 0
        var operational = 0
        var operationalKm = 0.0
    }

    /// The regions the report lists (the scope's region and everything under it down to its depth).
    package let listed: [RegionCode: (name: String, level: RegionLevel)]
    private var tallies: [TargetTree.Key: Tally] = [:]
    private var schools: [RegionCode: (total: Int, covered: Int)] = [:]
    private var milestones: [TargetTree.Key: [Milestone]] = [:]
    private var children: [RegionCode: [RegionCode]] = [:]

    package init(listed: [RegionCode: (name: String, level: RegionLevel)]) {
        self.listed = listed
        for region in listed.keys {
            if let parent = region.parent { children[parent, default: []].append(region) }
        }
    }

    /// Devices of `kind` in `region` (any depth): how many are installed, how many operational, and
    /// the operational length in km (fiber links).
    package mutating func addDevices(region: RegionCode, kind: DeviceKind, installed: Int, operational: Int, operationalKm: Double) {
        for ancestor in listedAncestors(of: region) {
            let key = TargetTree.Key(region: ancestor, kind: kind, metric: .units)
            var tally = tallies[key, default: Tally()]
            tally.installed += installed
            tally.operational += operational
            tally.operationalKm += operationalKm
            tallies[key] = tally
        }
    }

    /// Schools in `region`, and how many have an operational camera.
    package mutating func addSchools(region: RegionCode, total: Int, covered: Int) {
        for ancestor in listedAncestors(of: region) {
            let current = schools[ancestor] ?? (0, 0)
            schools[ancestor] = (current.total + total, current.covered + covered)
        }
    }

    /// A masterplan milestone of `region` (targets deeper than the listed depth still sum into
    /// their listed ancestors).
    package mutating func addMilestone(region: RegionCode, kind: DeviceKind, metric: TargetMetric, _ milestone: Milestone) {
        milestones[TargetTree.Key(region: region, kind: kind, metric: metric), default: []].append(milestone)
        var child = region
        while let parent = child.parent, listed[child] == nil {
            if !(children[parent] ?? []).contains(child) { children[parent, default: []].append(child) }
            child = parent
        }
    }

    /// The report as of `asOf`, for `kinds` and `metrics` (all when empty).
    package func report(asOf: CalendarDay, kinds: Set<DeviceKind> = [], metrics: Set<TargetMetric> = []) -> CoverageReport {
        let tree = TargetTree(milestones: milestones, children: children)
        let year = asOf.year
        var rows: [CoverageRow] = []
        for region in listed.keys.sorted() {
            guard let (name, level) = listed[region] else { continue }
            for kind in DeviceKind.allCases where kinds.isEmpty || kinds.contains(kind) {
                let tally = tallies[TargetTree.Key(region: region, kind: kind, metric: .units)] ?? Tally()
                for metric in kind.allowedMetrics where metrics.isEmpty || metrics.contains(metric) {
                    let key = TargetTree.Key(region: region, kind: kind, metric: metric)
                    let target = tree.target(key, year: year)
                    let achieved: Double
                    var schoolCount: (total: Int, covered: Int)?
                    switch metric {
                    case .units: achieved = Double(tally.operational)
                    case .km: achieved = tally.operationalKm
                    case .schoolsPct:
                        let count = schools[region] ?? (0, 0)
                        schoolCount = count
                        achieved = count.total > 0 ? 100 * Double(count.covered) / Double(count.total) : 0
                    }
                    guard target != nil || tally.installed > 0 else { continue }
                    rows.append(
                        CoverageRow(
                            region: region.rawValue, name: name, level: level.rawValue, kind: kind, metric: metric, target: target,
                            installed: tally.installed, operational: tally.operational, achieved: achieved,
                            nextMilestone: tree.nextMilestone(key, year: year), schools: schoolCount?.total,
                            schoolsCovered: schoolCount?.covered))
                }
            }
        }
        return CoverageReport(asOf: asOf, year: year, rows: rows)
    }

    /// The listed regions a count in `region` goes to: itself and its listed ancestors.
    func listedAncestors(of region: RegionCode) -> [RegionCode] {
        var result: [RegionCode] = []
        var current: RegionCode? = region
        while let code = current {
            if listed[code] != nil { result.append(code) }
            current = code.parent
        }
        return result
    }
}
