/// A Kemendagri region code: `16` (province), `16.71` (regency or city), `16.71.01` (district),
/// `16.71.01.1001` (village). Dotted codes are valid PostgreSQL `ltree` paths.
package struct RegionCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dotted code, e.g. `16.71.01`.
    package let rawValue: String

    /// Parses and validates a dotted code; returns nil when it is not one.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        for (index, part) in parts.enumerated() {
            let width = index == 3 ? 4 : 2
            guard part.utf8.count == width, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        }
        self.rawValue = String(text)
    }

    /// A code from its numbers, e.g. `RegionCode(16, 71, 1)` is `16.71.01`. Each part is taken
    /// modulo 100, so the result is always a valid code.
    package init(_ province: Int, _ regency: Int? = nil, _ district: Int? = nil) {
        func two(_ value: Int) -> String {
            let part = abs(value) % 100
            return part < 10 ? "0\(part)" : "\(part)"
        }
        var text = two(province)
        if let regency {
            text += "." + two(regency)
            if let district { text += "." + two(district) }
        }
        self.rawValue = text
    }

    /// How deep the code is.
    package var level: RegionLevel {
        switch rawValue.utf8.count {
        case 2: .province
        case 5: .regency
        case 8: .district
        default: .village
        }
    }

    /// The code with its last part removed; nil for a province.
    package var parent: RegionCode? {
        guard let dot = rawValue.lastIndex(of: ".") else { return nil }
        return RegionCode(rawValue[..<dot])
    }

    /// True when `self` is `other` or lies under it.
    package func isWithin(_ other: RegionCode) -> Bool {
        rawValue == other.rawValue || rawValue.hasPrefix(other.rawValue + ".")
    }

    /// This code's ancestor at `level`, or itself when it is at that level; nil when it is shallower.
    package func ancestor(at level: RegionLevel) -> RegionCode? {
        let parts = rawValue.split(separator: ".")
        guard parts.count >= level.depth else { return nil }
        return RegionCode(parts.prefix(level.depth).joined(separator: "."))
    }

    package var description: String { rawValue }

    package static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A sentence explaining the code format, for error messages.
    package static let formatHelp =
        "a Kemendagri code such as 16 (province), 16.71 (kabupaten/kota) or 16.71.01 (kecamatan)"
}

/// The administrative levels of Indonesia below the nation.
package enum RegionLevel: String, CaseIterable, Codable, Sendable, Comparable {
    case province
    case regency
    case district
    case village

    /// The number of parts in a code at this level.
    package var depth: Int {
        switch self {
        case .province: 1
        case .regency: 2
        case .district: 3
        case .village: 4
        }
    }

    package static func < (lhs: RegionLevel, rhs: RegionLevel) -> Bool { lhs.depth < rhs.depth }
}
