package import PostgresNIO

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

    /// The SQLSTATE of a server error, or nil; compare it with postgres-nio's named codes
    /// (`.uniqueViolation`, `.readOnlySqlTransaction`), never with a literal.
    package static func code(_ error: any Error) -> PostgresError.Code? {
        (error as? PSQLError)?.serverInfo?[.sqlState].map { PostgresError.Code(raw: $0) }
    }

    /// True when the server refused the data itself — SQLSTATE class 22 (data exception: a NUL byte,
    /// a number out of range) or an integrity violation other than a duplicate key — so the same
    /// rows would fail again, and only they should be refused.
    package static func isDataError(_ error: any Error) -> Bool {
        guard let code = code(error) else { return false }
        return code.raw.hasPrefix("22") || (code.raw.hasPrefix("23") && code != .uniqueViolation)
    }

    /// What an operator should do about a server refusing writes, when that is the cause: the
    /// database is read-only (a standby, or `default_transaction_read_only`), or its disk is full.
    package static func writeRefusal(_ error: any Error) -> String? {
        writeRefusal(code: code(error))
    }

    /// `writeRefusal` from an SQLSTATE.
    package static func writeRefusal(code: PostgresError.Code?) -> String? {
        switch code {
        case .readOnlySqlTransaction?: "the database is read-only (a standby, or default_transaction_read_only is on)"
        case .diskFull?: "the database server's disk is full"
        case .outOfMemory?: "the database server is out of memory"
        case .tooManyConnections?: "the database server has too many connections"
        default: nil
        }
    }
}
