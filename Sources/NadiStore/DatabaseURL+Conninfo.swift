import Foundation

extension DatabaseURL {
    /// The URL as libpq's keyword/value connection string (`host='…' port=… user='…'`), which a
    /// PostgreSQL server itself connects with — `CREATE SUBSCRIPTION … CONNECTION`. It holds the
    /// password: say it nowhere but to the server.
    package var libpqConnectionInfo: String {
        func quoted(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        var parts = [
            "host=" + quoted(endpoints.map(\.hostText).joined(separator: ",")),
            "port=" + quoted(endpoints.map { String($0.port) }.joined(separator: ",")),
            "user=" + quoted(username),
        ]
        if let password { parts.append("password=" + quoted(password)) }
        if let database { parts.append("dbname=" + quoted(database)) }
        if endpoints.contains(where: { if case .tcp = $0 { true } else { false } }) { parts.append("sslmode=" + sslMode.rawValue) }
        if targetSessionAttributes != .any { parts.append("target_session_attrs=" + targetSessionAttributes.rawValue) }
        return parts.joined(separator: " ")
    }
}
