package import Foundation
package import NadiCore

/// Inline SVG charts for the console and the monthly report. Every text that reaches them from data is escaped here; the
/// templates insert the result unescaped.
package enum SVGChart {
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A state timeline over `window`: operational green, degraded amber, down red, maintenance
    /// blue (over whatever state), no data grey.
    package static func timeline(
        runs: [StateRun], downCauses: [CauseAttribution.DownSegment], maintenance: [Range<Date>], window: Range<Date>, now: Date,
        label: String, causeLabel: (Cause) -> String
    ) -> String {
        let width = 800.0
        let height = 28.0
        let span = max(window.upperBound.timeIntervalSince(window.lowerBound), 1)
        func x(_ date: Date) -> Double { width * min(max(date.timeIntervalSince(window.lowerBound) / span, 0), 1) }
        var svg =
            "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(HTMLReport.escape(label))\">"
        svg += "<rect class=\"s-unknown\" x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\"/>"
        for run in runs {
            let start = max(run.start, window.lowerBound)
            let end = min(run.end ?? now, window.upperBound)
            guard end > start else { continue }
            let cls = run.status == .up ? "s-up" : run.status == .degraded ? "s-degraded" : "s-down"
            svg +=
                "<rect class=\"\(cls)\" x=\"\(f(x(start)))\" y=\"0\" width=\"\(f(max(x(end) - x(start), 0.5)))\" height=\"\(Int(height))\"><title>\(run.status.rawValue)\(run.reason.map { " (" + HTMLReport.escape($0) + ")" } ?? "")</title></rect>"
        }
        // Down time not the device's own doing, over the red: behind a down upstream, or maintenance.
        for segment in downCauses where segment.cause != .own {
            let start = max(segment.span.lowerBound, window.lowerBound)
            let end = min(segment.span.upperBound, window.upperBound)
            guard end > start else { continue }
            let cls = segment.cause == .maintenance ? "s-maint" : "s-upstream"
            svg +=
                "<rect class=\"\(cls)\" x=\"\(f(x(start)))\" y=\"0\" width=\"\(f(max(x(end) - x(start), 0.5)))\" height=\"\(Int(height))\"><title>\(HTMLReport.escape(causeLabel(segment.cause)))</title></rect>"
        }
        // Planned windows as a band along the top, whatever the device did meanwhile.
        for window in maintenance {
            svg +=
                "<rect class=\"s-planned\" x=\"\(f(x(window.lowerBound)))\" y=\"0\" width=\"\(f(max(x(window.upperBound) - x(window.lowerBound), 0.5)))\" height=\"4\"/>"
        }
        return svg + "</svg>"
    }

    /// A sparkline of one metric, oldest left.
    /// Values that are not finite are left out; values near the ends of the Double range are
    /// scaled down first, so their span does not overflow.
    package static func sparkline(_ all: [(Date, Double)], label: String) -> String {
        let values = all.filter { $0.1.isFinite }
        guard values.count >= 2, let low = values.map(\.1).min(), let high = values.map(\.1).max(), let first = values.first?.0,
            let last = values.last?.0
        else { return "" }
        let width = 300.0
        let height = 60.0
        let spanT = max(last.timeIntervalSince(first), 1)
        let scale = max(abs(high), abs(low), 1)
        let spanV = max((high / scale - low / scale), 0.001 / scale)
        let points = values.map { t, v in
            "\(f(4 + (width - 8) * t.timeIntervalSince(first) / spanT)),\(f(4 + (height - 8) * (high / scale - v / scale) / spanV))"
        }
        return
            "<svg class=\"spark\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape(label))\"><polyline points=\"\(points.joined(separator: " "))\"/><text x=\"4\" y=\"12\">\(Format.number(high))</text><text x=\"4\" y=\"\(Int(height) - 2)\">\(Format.number(low))</text></svg>"
    }

    /// Installed and operational devices month by month, the milestones as diamonds and the
    /// projection as a dashed line to the target.
    package static func trajectory(_ trajectory: RolloutTrajectory, installedLabel: String, operationalLabel: String) -> String {
        let points = trajectory.points
        guard !points.isEmpty else { return "" }
        let width = 640.0
        let height = 220.0
        let left = 44.0
        let bottom = 24.0
        let firstYear = Int(points[0].month.prefix(4)) ?? 2020
        let lastMonthIndex = monthIndex(points[points.count - 1].month)
        var endIndex = lastMonthIndex
        if let year = trajectory.milestones.map(\.year).max() { endIndex = max(endIndex, year * 12 + 11) }
        if let reached = trajectory.projection.reachedYear { endIndex = max(endIndex, min(reached, firstYear + 40) * 12 + 11) }
        let startIndex = monthIndex(points[0].month)
        let spanX = Double(max(endIndex - startIndex, 1))
        let top = max(
            Double(points.map(\.installed).max() ?? 1), trajectory.milestones.map(\.value).max() ?? 0,
            trajectory.projection.target?.value ?? 0, 1)
        func x(_ index: Int) -> Double { left + (width - left - 8) * Double(index - startIndex) / spanX }
        func y(_ value: Double) -> Double { 8 + (height - bottom - 8) * (1 - value / top) }
        var svg =
            "<svg class=\"trajectory\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape(trajectory.kind.rawValue))\">"
        svg += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(f(y(0)))\" x2=\"\(width - 8)\" y2=\"\(f(y(0)))\"/>"
        svg +=
            "<text class=\"tick\" x=\"2\" y=\"\(f(y(top) + 4))\">\(Int(top))</text><text class=\"tick\" x=\"2\" y=\"\(f(y(0)))\">0</text>"
        var year = firstYear
        while year * 12 <= endIndex {
            let tick = x(max(year * 12, startIndex))
            svg += "<text class=\"tick\" x=\"\(f(tick))\" y=\"\(Int(height) - 6)\">\(year)</text>"
            year += max(1, (endIndex / 12 - firstYear) / 8)
        }
        let installed = points.map { "\(f(x(monthIndex($0.month)))),\(f(y(Double($0.installed))))" }
        let operational = points.map { "\(f(x(monthIndex($0.month)))),\(f(y(Double($0.operational))))" }
        svg +=
            "<polyline class=\"installed\" points=\"\(installed.joined(separator: " "))\"><title>\(HTMLReport.escape(installedLabel))</title></polyline>"
        svg +=
            "<polyline class=\"operational\" points=\"\(operational.joined(separator: " "))\"><title>\(HTMLReport.escape(operationalLabel))</title></polyline>"
        for milestone in trajectory.milestones {
            let cx = x(milestone.year * 12 + 11)
            let cy = y(milestone.value)
            svg +=
                "<path class=\"milestone\" d=\"M\(f(cx)) \(f(cy - 6)) L\(f(cx + 6)) \(f(cy)) L\(f(cx)) \(f(cy + 6)) L\(f(cx - 6)) \(f(cy)) Z\"><title>\(milestone.year): \(Format.number(milestone.value, decimals: 0))</title></path>"
        }
        if trajectory.projection.outcome == .reached, let target = trajectory.projection.target,
            let reached = trajectory.projection.reachedYear,
            let last = points.last
        {
            let endX = x(min(reached, firstYear + 40) * 12 + 6)
            svg +=
                "<line class=\"projection\" x1=\"\(f(x(lastMonthIndex)))\" y1=\"\(f(y(Double(last.operational))))\" x2=\"\(f(endX))\" y2=\"\(f(y(target.value)))\"/>"
        }
        return svg + "</svg>"
    }

    static func monthIndex(_ month: String) -> Int {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let m = Int(parts[1]) else { return 0 }
        return year * 12 + m - 1
    }
}
