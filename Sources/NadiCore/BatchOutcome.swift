/// The outcome of writing a batch: how many records were stored, and why the others were not.
package struct BatchOutcome: Sendable, Equatable, Codable {
    package var accepted: Int
    package var duplicates: Int
    package var rejected: [RecordError]
    /// How many records were rejected in all, set only when `rejected` lists just the first
    /// `BatchOutcome.listedRejections` of them (so an answer stays small whatever was sent).
    package var rejectedTotal: Int?

    /// Most rejections an answer lists one by one.
    package static let listedRejections = 1000

    enum CodingKeys: String, CodingKey {
        case accepted, duplicates, rejected
        case rejectedTotal = "rejected_total"
    }

    /// Sorts the rejections by index and keeps the first `listedRejections`, counting the rest.
    package mutating func bound() {
        rejected.sort { $0.index < $1.index }
        if rejected.count > Self.listedRejections {
            rejectedTotal = rejected.count
            rejected.removeLast(rejected.count - Self.listedRejections)
        }
    }

    package init(accepted: Int = 0, duplicates: Int = 0, rejected: [RecordError] = []) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

/// Records of an all-or-nothing batch that could not be stored; nothing was stored.
package struct RejectedBatch: Error, Sendable {
    package var rejected: [RecordError]

    package init(rejected: [RecordError]) { self.rejected = rejected }
}
