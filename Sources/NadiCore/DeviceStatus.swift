/// The status a ping reports.
package enum PingStatus: String, CaseIterable, Codable, Sendable {
    case up
    case degraded
    case down

    /// Lists the allowed raw values, for error messages.
    package static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The device status this ping puts a device in.
    package var deviceStatus: DeviceStatus {
        switch self {
        case .up: .up
        case .degraded: .degraded
        case .down: .down
        }
    }
}

/// The state of a device: what its pings said, or `unknown` before the first ping.
package enum DeviceStatus: String, CaseIterable, Codable, Sendable {
    case up
    case degraded
    case down
    case unknown

    /// A device is operational when it is `up` or `degraded`.
    package var isOperational: Bool { self == .up || self == .degraded }
}

/// Well-known reasons attached to device states.
package enum StatusReason {
    /// The device missed `missCount` heartbeats in a row.
    package static let silent = "silent"
    /// The device is registered but has never pinged.
    package static let neverSeen = "never_seen"
}
