import PostgresNIO

/// Turns database errors into one line for operators (never sent to HTTP clients).
public enum PostgresErrorText {
    /// "SQLSTATE 23505: duplicate key value …" for server errors, the error's description otherwise.
    public static func describe(_ error: any Error) -> String {
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
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
