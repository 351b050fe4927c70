/// What became of one row of a batch.
enum BatchRowOutcome: Equatable {
    case stored
    case duplicate
    /// The database refused the row's data; the others were committed without it.
    case refused(String)
    /// Not committed: the client must retry.
    case unavailable(IngestUnavailable)

    var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
