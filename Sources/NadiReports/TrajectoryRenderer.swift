package import NadiCore

/// `nadi coverage --trajectory` output: the monthly series of every kind and its projection.
package enum TrajectoryRenderer {
    /// One line per kind and month, then one projection sentence per kind.
    package static func table(_ trajectories: [RolloutTrajectory]) -> String {
        var rows: [[String]] = []
        for trajectory in trajectories {
            for point in trajectory.points {
                rows.append([trajectory.kind.rawValue, point.month, "\(point.installed)", "\(point.operational)"])
            }
        }
        var text = TextTable.render(header: ["KIND", "MONTH", "INSTALLED", "OPERATIONAL"], rows: rows, rightAligned: [2, 3])
        text += "\n"
        for trajectory in trajectories {
            text += "\n\(trajectory.kind.rawValue): " + sentence(trajectory.projection)
        }
        return text + "\n"
    }

    /// `region,kind,month,installed,operational`.
    package static func csv(_ trajectories: [RolloutTrajectory]) -> String {
        CSVText.render(
            header: ["region", "kind", "month", "installed", "operational"],
            rows: trajectories.flatMap { trajectory in
                trajectory.points.map { [trajectory.region, trajectory.kind.rawValue, $0.month, "\($0.installed)", "\($0.operational)"] }
            })
    }

    /// The projection in English, as the CLI says it.
    package static func sentence(_ projection: TrajectoryProjection) -> String {
        let pace = "pace \(Format.number(projection.pacePerMonth)) installed/month over the last 12 months"
        switch projection.outcome {
        case .met: return "target already met (\(projection.target.map { "\($0.year): \(Format.number($0.value, decimals: 0))" } ?? ""))"
        case .noTarget: return "no masterplan target; \(pace)"
        case .stalled:
            return
                "at this pace the \(projection.target.map { "\($0.year) target of \(Format.number($0.value, decimals: 0))" } ?? "target") is not reached (\(pace))"
        case .reached:
            guard let target = projection.target, let year = projection.reachedYear else { return "" }
            return "at this pace the \(target.year) target of \(Format.number(target.value, decimals: 0)) is reached in \(year) (\(pace))"
        }
    }

    /// "At this pace the 2028 target of 400 is reached in 2031", in the page's language.
    package static func spoken(_ projection: TrajectoryProjection, _ words: [String: String]) -> String {
        switch projection.outcome {
        case .met: return words["target_met"] ?? ""
        case .noTarget: return words["no_target"] ?? ""
        case .stalled: return words["stalled"] ?? ""
        case .reached:
            guard let target = projection.target, let year = projection.reachedYear else { return "" }
            return [
                words["reached_prefix"] ?? "", String(target.year), words["reached_middle"] ?? "", Format.number(target.value, decimals: 0),
                words["reached_suffix"] ?? "", String(year) + ".",
            ].joined(separator: " ")
        }
    }
}
