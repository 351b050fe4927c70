package import Foundation

/// Why a device was not operational (DESIGN.md, "Topology, causes and maintenance").
package enum Cause: String, Sendable, Codable {
    /// Planned work: a window covering the device, or one covering a non-operational ancestor.
    case maintenance
    /// An upstream device (the root named with it) was not operational.
    case upstream
    /// The device itself.
    case own
}

/// A device's time over a window, split by cause. Unknown time (before the first ping) is in none.
package struct CauseTally: Sendable, Equatable {
    package var operational: TimeInterval = 0
    package var known: TimeInterval = 0
    package var own: TimeInterval = 0
    package var upstream: TimeInterval = 0
    package var maintenance: TimeInterval = 0

    package init(
        operational: TimeInterval = 0, known: TimeInterval = 0, own: TimeInterval = 0, upstream: TimeInterval = 0,
        maintenance: TimeInterval = 0
    ) {
        self.operational = operational
        self.known = known
        self.own = own
        self.upstream = upstream
        self.maintenance = maintenance
    }

    /// operational ÷ (known − maintenance − upstream): what the device's own SLA is charged with.
    /// Known time is operational + own + upstream + maintenance, so the divisor is operational + own:
    /// written so, a device with no down time of its own is at exactly 100 % even when its operational
    /// and known times come from another sum (the report's SQL) than its causes.
    package var slaPercent: Double? {
        let charged = operational + own
        return charged > 0 ? 100 * (operational / charged) : nil  // x / x is exactly 1; 100 * x / x need not be 100
    }

    package static func + (lhs: CauseTally, rhs: CauseTally) -> CauseTally {
        CauseTally(
            operational: lhs.operational + rhs.operational, known: lhs.known + rhs.known, own: lhs.own + rhs.own,
            upstream: lhs.upstream + rhs.upstream, maintenance: lhs.maintenance + rhs.maintenance)
    }
}

/// The state timelines, upstream links and maintenance spans of a set of devices, and the causes
/// they imply — a pure function of them, so exact whatever order the data arrived in.
package struct CauseAttribution: Sendable {
    /// An upstream link that held over `[from, to)`.
    package struct Link: Sendable, Equatable {
        package var upstream: Int64
        package var from: Date
        package var to: Date?

        package init(upstream: Int64, from: Date, to: Date?) {
            self.upstream = upstream
            self.from = from
            self.to = to
        }
    }

    /// Each device's state runs; open runs last until `now`.
    package var runs: [Int64: [StateRun]]
    /// Each device's upstream links over time.
    package var links: [Int64: [Link]]
    /// The maintenance spans covering each device.
    package var maintenance: [Int64: [Range<Date>]]
    package var now: Date

    /// Chains longer than this are cut (a cycle in old history cannot loop for ever).
    package static let maxDepth = 32

    package init(runs: [Int64: [StateRun]], links: [Int64: [Link]], maintenance: [Int64: [Range<Date>]], now: Date) {
        self.runs = runs
        self.links = links
        self.maintenance = maintenance
        self.now = now
    }

    /// The device's status at `t`, or nil when unknown.
    func status(_ device: Int64, at t: Date) -> DeviceStatus? {
        runs[device]?.first { $0.start <= t && t < ($0.end ?? now) }?.status
    }

    func upstream(_ device: Int64, at t: Date) -> Int64? {
        links[device]?.first { $0.from <= t && t < ($0.to ?? .distantFuture) }?.upstream
    }

    func inMaintenance(_ device: Int64, at t: Date) -> Bool {
        maintenance[device]?.contains { $0.contains(t) } ?? false
    }

    /// The ancestors of `device` at `t`, nearest first.
    func chain(_ device: Int64, at t: Date) -> [Int64] {
        var result: [Int64] = []
        var current = upstream(device, at: t)
        while let node = current, result.count < Self.maxDepth, node != device, !result.contains(node) {
            result.append(node)
            current = upstream(node, at: t)
        }
        return result
    }

    /// Why `device` is not operational at `t`, with the root device when the cause is upstream;
    /// nil when it is operational or its state is unknown.
    package func cause(_ device: Int64, at t: Date) -> (cause: Cause, root: Int64)? {
        guard let own = status(device, at: t), !own.isOperational else { return nil }
        let ancestors = chain(device, at: t)
        func down(_ node: Int64) -> Bool { self.status(node, at: t).map { !$0.isOperational } ?? false }
        if inMaintenance(device, at: t) { return (.maintenance, device) }
        if let worked = ancestors.first(where: { inMaintenance($0, at: t) && down($0) }) { return (.maintenance, worked) }
        if let parent = ancestors.first, down(parent) {
            // The root: the highest of the non-operational ancestors in an unbroken run up the chain.
            var root = parent
            for node in ancestors.dropFirst() {
                guard down(node) else { break }
                root = node
            }
            return (.upstream, root)
        }
        return (.own, device)
    }

    /// `device`'s time within `window`, split by cause: known and operational time from its runs,
    /// down time from `downSegments`.
    package func tally(_ device: Int64, over window: Range<Date>) -> CauseTally {
        var tally = CauseTally()
        for run in runs[device] ?? [] {
            let start = max(run.start, window.lowerBound)
            let end = min(run.end ?? now, window.upperBound)
            guard end > start else { continue }
            tally.known += end.timeIntervalSince(start)
            if run.status.isOperational { tally.operational += end.timeIntervalSince(start) }
        }
        for segment in downSegments(device, over: window) {
            let seconds = segment.span.upperBound.timeIntervalSince(segment.span.lowerBound)
            switch segment.cause {
            case .maintenance: tally.maintenance += seconds
            case .upstream: tally.upstream += seconds
            case .own: tally.own += seconds
            }
        }
        return tally
    }

    /// A stretch of time a device was not operational, with one cause throughout.
    package struct DownSegment: Sendable, Equatable {
        package var span: Range<Date>
        package var cause: Cause
        /// The device the cause lies with (the device itself for `own`).
        package var root: Int64

        package init(span: Range<Date>, cause: Cause, root: Int64) {
            self.span = span
            self.cause = cause
            self.root = root
        }
    }

    /// `device`'s non-operational stretches within `window`, cut at every instant an ancestor, a
    /// link or a window changes inside them, each with its cause (what `tally` sums and the
    /// console's timeline draws). The cost follows the device's down time, not the window's length.
    package func downSegments(_ device: Int64, over window: Range<Date>) -> [DownSegment] {
        guard let own = runs[device], !own.isEmpty else { return [] }
        // Every instant inside the window at which anything the cause depends on can change.
        var related: Set<Int64> = [device]
        var frontier: [Int64] = [device]
        var boundaries: [Date] = []
        while let node = frontier.popLast(), related.count <= Self.maxDepth * 4 {
            for link in links[node] ?? [] where link.from < window.upperBound && (link.to ?? .distantFuture) > window.lowerBound {
                boundaries.append(link.from)
                if let to = link.to { boundaries.append(to) }
                if related.insert(link.upstream).inserted { frontier.append(link.upstream) }
            }
        }
        for node in related {
            if node != device {
                for run in runs[node] ?? [] {
                    boundaries.append(run.start)
                    boundaries.append(run.end ?? now)
                }
            }
            for span in maintenance[node] ?? [] {
                boundaries.append(span.lowerBound)
                boundaries.append(span.upperBound)
            }
        }
        boundaries.sort()
        var segments: [DownSegment] = []
        for run in own where !run.status.isOperational {
            let start = max(run.start, window.lowerBound)
            let end = min(run.end ?? now, window.upperBound)
            guard end > start else { continue }
            // Cut the stretch at the boundaries inside it (binary search for the first).
            var low = 0
            var high = boundaries.count
            while low < high {
                let middle = (low + high) / 2
                if boundaries[middle] <= start { low = middle + 1 } else { high = middle }
            }
            var cursor = start
            var index = low
            while cursor < end {
                var next = end
                while index < boundaries.count, boundaries[index] <= cursor { index += 1 }
                if index < boundaries.count, boundaries[index] < end { next = boundaries[index] }
                let (cause, root) = cause(device, at: cursor) ?? (.own, device)
                if let last = segments.last, last.cause == cause, last.root == root, last.span.upperBound == cursor {
                    segments[segments.count - 1].span = last.span.lowerBound..<next
                } else {
                    segments.append(DownSegment(span: cursor..<next, cause: cause, root: root))
                }
                cursor = next
            }
        }
        return segments
    }
}
