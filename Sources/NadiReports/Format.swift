import Foundation

/// Numbers for people: no trailing ".0", one decimal for fractions.
package enum Format {
    package static func number(_ value: Double, decimals: Int = 1) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        return String(format: "%.\(decimals)f", value)
    }

    /// "87.5%"; "-" for nil.
    package static func percent(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.1f%%", value)
    }
}
