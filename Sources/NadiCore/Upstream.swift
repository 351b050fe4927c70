/// What an inventory record says about its device's upstream: nothing (the link stays as it is),
/// `"upstream": null` (no upstream from now on), or the external id of the upstream device.
package enum UpstreamChange: Sendable, Equatable {
    case keep
    case clear
    case set(String)
}

/// The upstream links of a set of devices (external ids), checked as changes are proposed one by
/// one: a link to the device itself, or one that would close a cycle, is refused and not applied.
package struct UpstreamGraph: Sendable {
    /// Device → its upstream, for every device whose link matters to the proposals.
    private(set) var upstream: [String: String]

    package init(upstream: [String: String]) { self.upstream = upstream }

    /// Applies `change` to `device` unless it is refused; returns the reason when it is. A hop of a
    /// refused cycle for which `shown` is false is named only as a device outside the caller's
    /// region (its id is not theirs to learn).
    package mutating func propose(device: String, _ change: UpstreamChange, shown: (String) -> Bool = { _ in true }) -> String? {
        switch change {
        case .keep:
            return nil
        case .clear:
            upstream[device] = nil
            return nil
        case .set(let target):
            if target == device { return "a device cannot be its own upstream" }
            var chain = [device, target]
            var seen: Set<String> = [target]
            var current = upstream[target]
            while let node = current {
                chain.append(node)
                if node == device {
                    let named = chain.map { shown($0) ? $0 : "(a device outside your region)" }
                    return "upstream '\(target)' would close a cycle: \(named.joined(separator: " → "))"
                }
                guard seen.insert(node).inserted else { break }  // a cycle elsewhere; not this device's
                current = upstream[node]
            }
            upstream[device] = target
            return nil
        }
    }
}
