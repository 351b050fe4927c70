/// The four kinds of smart-city infrastructure Nadi tracks.
package enum DeviceKind: String, CaseIterable, Codable, Sendable, Comparable {
    case fiberLink = "fiber_link"
    case cctv
    case videotron
    case attendance

    /// The metrics a masterplan target may use for this kind.
    package var allowedMetrics: [TargetMetric] {
        switch self {
        case .fiberLink: [.units, .km]
        case .cctv: [.units, .schoolsPct]
        case .videotron, .attendance: [.units]
        }
    }

    /// Lists the allowed raw values, for error messages.
    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    package static func < (lhs: DeviceKind, rhs: DeviceKind) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// The kinds of places devices serve.
package enum SiteKind: String, CaseIterable, Codable, Sendable {
    case school
    case office
    case intersection
    case publicSpace = "public_space"
    case pop

    /// Lists the allowed raw values, for error messages.
    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What a masterplan milestone counts.
package enum TargetMetric: String, CaseIterable, Codable, Sendable, Comparable {
    /// Operational devices.
    case units
    /// Kilometres of operational fiber (fiber_link only).
    case km
    /// Percentage of schools with at least one operational camera (cctv only).
    case schoolsPct = "schools_pct"

    /// Lists the allowed raw values, for error messages.
    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    package static func < (lhs: TargetMetric, rhs: TargetMetric) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
