package import Foundation

/// What an outage is about: the device not working (`down`: not operational), or a camera that
/// works but whose picture is bad (`picture`: degraded for `image_black`, `image_frozen`,
/// `image_blurred` or `fps_low`). Each is an incident of its own.
package enum OutageProblem: String, Sendable, Codable, CaseIterable {
    case down
    case picture
}

/// Turns the outbox's state changes, in order, into outages: a stretch of one problem of one
/// device, opened by the change that starts it and closed by the change that ends it.
package struct OutageLedger: Sendable, Equatable {
    /// One outbox event, as the ledger reads it.
    package struct Event: Sendable, Equatable {
        package var id: Int64
        package var deviceID: Int64
        package var to: DeviceStatus
        /// The reason of the new state (a picture problem opens a `picture` outage).
        package var reason: String?
        package var at: Date
        /// When the event was committed.
        package var known: Date

        package init(id: Int64, deviceID: Int64, to: DeviceStatus, reason: String? = nil, at: Date, known: Date) {
            self.id = id
            self.deviceID = deviceID
            self.to = to
            self.reason = reason
            self.at = at
            self.known = known
        }

        /// The problem this event's new state is, if any.
        var problem: OutageProblem? {
            if !to.isOperational && to != .unknown { return .down }
            if to == .degraded, PictureProblem(reason: reason) != nil { return .picture }
            return nil
        }
    }

    /// One device's outage of one problem.
    package struct Key: Sendable, Hashable {
        package var deviceID: Int64
        package var problem: OutageProblem

        package init(_ deviceID: Int64, _ problem: OutageProblem = .down) {
            self.deviceID = deviceID
            self.problem = problem
        }
    }

    /// An outage to insert (`ended` set when it also closed within the same events).
    package struct Opened: Sendable, Equatable {
        package var deviceID: Int64
        package var problem: OutageProblem
        package var started: Date
        package var ended: Date?
        package var known: Date
    }

    /// Outages already stored and still open: their id and start.
    package var open: [Key: (id: Int64, started: Date)]
    /// Stored outages that the events closed: id → end.
    package private(set) var closed: [Int64: Date] = [:]
    /// New outages.
    package private(set) var opened: [Opened] = []
    /// Index into `opened` of each new outage that is still open.
    private var openedIndex: [Key: Int] = [:]

    package init(open: [Key: (id: Int64, started: Date)]) { self.open = open }

    /// A ledger whose stored open outages are all `down` ones, by device.
    package init(open: [Int64: (id: Int64, started: Date)]) {
        self.open = Dictionary(uniqueKeysWithValues: open.map { (Key($0.key), $0.value) })
    }

    package static func == (lhs: OutageLedger, rhs: OutageLedger) -> Bool {
        lhs.closed == rhs.closed && lhs.opened == rhs.opened && lhs.open.mapValues(\.id) == rhs.open.mapValues(\.id)
    }

    /// Applies `events` in order. An event opens the outage of its problem (if none is open) and
    /// closes the device's outage of the other problem: a camera that goes from a frozen picture
    /// to down ends the picture incident and starts an outage.
    package mutating func apply(_ events: [Event]) {
        for event in events {
            let now = event.problem
            for problem in OutageProblem.allCases where problem != now {
                close(Key(event.deviceID, problem), at: event.at)
            }
            guard let now else { continue }
            let key = Key(event.deviceID, now)
            guard open[key] == nil, openedIndex[key] == nil else { continue }
            openedIndex[key] = opened.count
            opened.append(Opened(deviceID: event.deviceID, problem: now, started: event.at, ended: nil, known: event.known))
        }
    }

    private mutating func close(_ key: Key, at: Date) {
        if let index = openedIndex.removeValue(forKey: key) {
            opened[index].ended = max(at, opened[index].started)
        } else if let stored = open.removeValue(forKey: key) {
            closed[stored.id] = max(at, stored.started)
        }
    }
}
