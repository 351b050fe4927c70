package import Foundation

/// Turns outbox events, in commit order, into outages: stretches of a device being not operational.
/// A device's outage opens with its first event into a non-operational state and closes with its
/// next event into an operational one; events between them (down for another reason) change nothing.
package struct OutageLedger: Sendable, Equatable {
    /// One outbox event, as the ledger reads it.
    package struct Event: Sendable, Equatable {
        package var id: Int64
        package var deviceID: Int64
        package var to: DeviceStatus
        package var at: Date
        /// When the event was committed.
        package var known: Date

        package init(id: Int64, deviceID: Int64, to: DeviceStatus, at: Date, known: Date) {
            self.id = id
            self.deviceID = deviceID
            self.to = to
            self.at = at
            self.known = known
        }
    }

    /// An outage to insert (`ended` set when it also closed within the same events).
    package struct Opened: Sendable, Equatable {
        package var deviceID: Int64
        package var started: Date
        package var ended: Date?
        package var known: Date
    }

    /// Outages already stored and still open, by device: their id and start.
    package var open: [Int64: (id: Int64, started: Date)]
    /// Stored outages that the events closed: id → end.
    package private(set) var closed: [Int64: Date] = [:]
    /// New outages.
    package private(set) var opened: [Opened] = []
    /// Index into `opened` of each device's new outage that is still open.
    private var openedIndex: [Int64: Int] = [:]

    package init(open: [Int64: (id: Int64, started: Date)]) { self.open = open }

    package static func == (lhs: OutageLedger, rhs: OutageLedger) -> Bool {
        lhs.closed == rhs.closed && lhs.opened == rhs.opened && lhs.open.mapValues(\.id) == rhs.open.mapValues(\.id)
    }

    /// Applies `events` in order.
    package mutating func apply(_ events: [Event]) {
        for event in events {
            let down = !event.to.isOperational && event.to != .unknown
            if down {
                guard open[event.deviceID] == nil, openedIndex[event.deviceID] == nil else { continue }
                openedIndex[event.deviceID] = opened.count
                opened.append(Opened(deviceID: event.deviceID, started: event.at, ended: nil, known: event.known))
            } else if let index = openedIndex.removeValue(forKey: event.deviceID) {
                opened[index].ended = max(event.at, opened[index].started)
            } else if let stored = open.removeValue(forKey: event.deviceID) {
                closed[stored.id] = max(event.at, stored.started)
            }
        }
    }
}
