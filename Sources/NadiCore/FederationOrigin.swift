/// The origin of rows in a federation of Nadi databases (DESIGN "Scale beyond one machine"): the
/// province or regency one Nadi publishes, and the range of surrogate ids its rows take.
///
/// An origin-qualified id is `origin × 10^12 + local number`, where origin is the region's BPS code
/// read as a number (16.71 → 1671, province 16 → 16). BPS codes are unique nationwide, so no two
/// publishers share a range and none needs to ask another; ids below 10^12 are origin 0, a
/// database that never published. The schema's `nadi_origin_of(id)` applies the same rule.
package struct FederationOrigin: Hashable, Sendable, CustomStringConvertible {
    /// Local numbers per origin.
    package static let span: Int64 = 1_000_000_000_000

    /// The published region (a province or a regency).
    package let region: RegionCode
    /// The region's code as a number.
    package let number: Int64

    /// The origin of `region`; nil for districts and villages, which do not run their own Nadi.
    package init?(region: RegionCode) {
        guard region.level == .province || region.level == .regency,
            let number = Int64(region.rawValue.filter { $0 != "." })
        else { return nil }
        self.region = region
        self.number = number
    }

    /// The first id of this origin's range.
    package var firstID: Int64 { number * Self.span }
    /// The last id of this origin's range.
    package var lastID: Int64 { firstID + Self.span - 1 }

    /// The origin number an id belongs to (0: not federated).
    package static func number(ofID id: Int64) -> Int64 { id / span }

    package var description: String { "\(region) (ids \(firstID)…)" }
}

/// Names of federation sources on a subscriber: short, lower-case, usable in PostgreSQL object
/// names (`nadi_fed_<name>`).
package enum FederationSourceName {
    /// Why `name` cannot name a source, or nil when it can.
    package static func problem(_ name: String) -> String? {
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard let first = name.utf8.first, first >= 97, first <= 122, allowed, name.utf8.count <= 31 else {
            return "'\(name)' is not a source name: 1–31 characters of a–z, 0–9 and _, starting with a letter (e.g. plg)"
        }
        return nil
    }
}
