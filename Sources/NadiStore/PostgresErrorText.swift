import PostgresNIO

/// Turns database errors into one line for operators (never sent to HTTP clients).
package enum PostgresErrorText {
    /// "SQLSTATE 23505: duplicate key value …" for server errors, the error's description otherwise.
    package static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState] ?? "?"
                let detail = psql.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return "SQLSTATE \(state): \(message)\(detail)"
            }
            return "\(psql.code)"
        }
        return String(describing: error)
    }

    /// The SQLSTATE of a server error, or nil.
    package static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// True when the server refused the data itself — SQLSTATE class 22 (data exception: a NUL byte,
    /// a number out of range) or an integrity violation other than a duplicate key — so the same
    /// rows would fail again, and only they should be refused.
    package static func isDataError(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state.hasPrefix("22") || (state.hasPrefix("23") && state != "23505")
    }

    /// What an operator should do about a server refusing writes, when that is the cause: the
    /// database is read-only (a standby, or `default_transaction_read_only`), or its disk is full.
    package static func writeRefusal(_ error: any Error) -> String? {
        writeRefusal(sqlState: sqlState(error))
    }

    /// `writeRefusal` from an SQLSTATE.
    package static func writeRefusal(sqlState: String?) -> String? {
        switch sqlState {
        case "25006": "the database is read-only (a standby, or default_transaction_read_only is on)"
        case "53100": "the database server's disk is full"
        case "53200": "the database server is out of memory"
        case "53300": "the database server has too many connections"
        default: nil
        }
    }
}
