import Foundation
import NIOSSL
package import PostgresNIO

/// A PostgreSQL connection URI in the form `psql` takes, so operators paste the same string into both:
/// `postgres://user:pass@host:5432/db?sslmode=require`, or `postgres://user@/db?host=/run/postgresql`
/// for a Unix socket. Several servers as libpq lists them — `postgres://nadi@db1,db2:5433/nadi`
/// or `host=/run/a,/run/b` — with `target_session_attrs=read-write` to take only the primary.
package struct DatabaseURL: Sendable, CustomStringConvertible {
    package var username: String
    package var password: String?
    package var database: String?
    /// Every server listed, in order (at least one).
    package var endpoints: [Endpoint]
    package var sslMode: SSLMode
    /// Which server of `endpoints` to use.
    package var targetSessionAttributes: TargetSessionAttributes = .any

    /// The first server listed (the only one, usually).
    package var endpoint: Endpoint {
        get { endpoints[0] }
        set { endpoints = [newValue] }
    }

    /// libpq's `target_session_attrs`: `any` takes the first server that answers; `read-write`
    /// (or `primary`) the first that is not a standby and accepts writes.
    package enum TargetSessionAttributes: String, Sendable, CaseIterable {
        case any
        case readWrite = "read-write"
        case primary
    }

    /// True when a server must be chosen among several, or checked for writes: the client then
    /// follows a failover by itself (`DatabaseClient`).
    package var needsServerSelection: Bool { endpoints.count > 1 || targetSessionAttributes != .any }

    /// This URL with only `endpoint` (one of `endpoints`) left.
    package func selecting(_ endpoint: Endpoint) -> DatabaseURL {
        var copy = self
        copy.endpoints = [endpoint]
        return copy
    }

    /// Where the server is.
    package enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file's directory (as libpq's `host=/dir`) and the port that names the file.
        case unixSocket(directory: String, port: Int)

        /// The socket file path for a Unix endpoint.
        package var socketPath: String? {
            guard case .unixSocket(let directory, let port) = self else { return nil }
            return "\(directory)/.s.PGSQL.\(port)"
        }
    }

    /// libpq's `sslmode` values.
    package enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    package init(username: String, password: String? = nil, database: String?, endpoint: Endpoint, sslMode: SSLMode = .prefer) {
        self.username = username
        self.password = password
        self.database = database
        self.endpoints = [endpoint]
        self.sslMode = sslMode
    }

    /// Parses a `postgres://` or `postgresql://` URI; throws a `DatabaseURLError` that says what is wrong.
    package init(parsing original: String) throws {
        // libpq lists servers in the authority (h1:5432,h2:5433), which URLComponents cannot read:
        // take them out and parse the rest with the first one.
        var text = original
        var listed: [(host: String, port: Int?)] = []
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let hostStart = rest[..<authorityEnd].lastIndex(of: "@").map { text.index(after: $0) } ?? schemeEnd.upperBound
            let hosts = text[hostStart..<authorityEnd]
            if hosts.contains(",") {
                for item in hosts.split(separator: ",", omittingEmptySubsequences: false) {
                    let pair = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let name = pair.first, !name.isEmpty else { throw DatabaseURLError("an empty host in the list '\(hosts)'") }
                    var port: Int?
                    if pair.count == 2 {
                        guard let value = Int(pair[1]), (1...65535).contains(value) else {
                            throw DatabaseURLError("port must be 1–65535 (in '\(item)')")
                        }
                        port = value
                    }
                    listed.append((String(name).removingPercentEncoding ?? String(name), port))
                }
                text.replaceSubrange(hostStart..<authorityEnd, with: "")
            }
        }
        guard let components = URLComponents(string: text) else {
            throw DatabaseURLError("not a URI; expected postgres://user:password@host:5432/database")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError("the scheme must be postgres:// or postgresql://")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            query[item.name] = item.value ?? ""
        }
        let known: Set = [
            "host", "port", "sslmode", "user", "password", "dbname", "application_name", "connect_timeout", "target_session_attrs",
        ]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw DatabaseURLError("unsupported parameter '\(unknown)'; supported: \(known.sorted().joined(separator: ", "))")
        }
        // Ports: one per host, or one for all (libpq's rule), from port= or the authority.
        var ports: [Int] = []
        if let text = query["port"] {
            for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = Int(item), (1...65535).contains(value) else { throw DatabaseURLError("port must be 1–65535") }
                ports.append(value)
            }
        } else if let port = components.port {
            guard (1...65535).contains(port) else { throw DatabaseURLError("port must be 1–65535") }
            ports = [port]
        }
        var hosts: [String]
        if let text = query["host"] {
            hosts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else if !listed.isEmpty {
            hosts = listed.map(\.host)
            if ports.isEmpty, listed.contains(where: { $0.port != nil }) { ports = listed.map { $0.port ?? 5432 } }
        } else {
            hosts = [components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""]
        }
        if hosts.isEmpty { hosts = [""] }
        guard ports.count <= 1 || ports.count == hosts.count else {
            throw DatabaseURLError("\(ports.count) ports for \(hosts.count) hosts; give one port, or one per host")
        }
        self.endpoints = hosts.enumerated().map { index, host in
            let port = ports.isEmpty ? 5432 : ports.count == 1 ? ports[0] : ports[index]
            if host.hasPrefix("/") { return .unixSocket(directory: host, port: port) }
            if host.isEmpty { return .unixSocket(directory: "/var/run/postgresql", port: port) }
            return .tcp(host: host, port: port)
        }
        if let attributes = query["target_session_attrs"] {
            guard let parsed = TargetSessionAttributes(rawValue: attributes) else {
                throw DatabaseURLError(
                    "target_session_attrs must be one of \(TargetSessionAttributes.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.targetSessionAttributes = parsed
        }
        let user = query["user"] ?? components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        self.username = user.flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        self.password = query["password"] ?? components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        let name = query["dbname"] ?? String(path.drop { $0 == "/" })
        self.database = name.isEmpty ? nil : name
        if let mode = query["sslmode"] {
            guard let parsed = SSLMode(rawValue: mode) else {
                throw DatabaseURLError("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.sslMode = parsed
        } else {
            self.sslMode = .prefer
        }
    }

    /// The postgres-nio client configuration for this URL.
    package func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .unixSocket:
            configuration = PostgresClient.Configuration(
                unixSocketPath: endpoint.socketPath ?? "", username: username, password: password, database: database)
        case .tcp(let host, let port):
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        }
        configuration.options.additionalStartupParameters = Self.sessionSettings
        return configuration
    }

    /// Settings every Nadi session starts with. `jit = off`: PostgreSQL's JIT compiles any query
    /// whose estimated cost passes `jit_above_cost`, and Nadi's report queries (joins of devices
    /// with month ends or windows, estimated at millions of rows, run in well under a second)
    /// would spend most of their time compiling. `work_mem = 16MB`: a province's uptime (its
    /// devices' intervals summed per device) fits its hash aggregate in memory instead of spilling
    /// to disk at the default 4 MB.
    static let sessionSettings: [(String, String)] = [("jit", "off"), ("work_mem", "16MB")]

    /// The configuration of one connection to this URL (the start-up probe uses it).
    package func connectionConfiguration() throws -> PostgresConnection.Configuration {
        switch endpoint {
        case .unixSocket:
            return PostgresConnection.Configuration(
                unixSocketPath: endpoint.socketPath ?? "", username: username, password: password, database: database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case .disable: tls = .disable
            case .allow, .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            default: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
            return PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
    }

    /// libpq's `sslmode` as a TLS configuration: certificates checked only for verify-ca/verify-full.
    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: break
        }
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(tlsConfiguration)
        default: .require(tlsConfiguration)
        }
    }

    /// The whole URL, password included, as `init(parsing:)` reads it back. Hand it to a child
    /// process through its environment, never on a command line (which `ps` shows) or in a log.
    package var connectionString: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.path = "/" + (database ?? "")
        var items = [URLQueryItem]()
        if case .tcp = endpoint {
            items.append(URLQueryItem(name: "host", value: endpoints.map(\.hostText).joined(separator: ",")))
            items.append(URLQueryItem(name: "sslmode", value: sslMode.rawValue))
        } else {
            items.append(URLQueryItem(name: "host", value: endpoints.map(\.hostText).joined(separator: ",")))
        }
        items.append(URLQueryItem(name: "port", value: endpoints.map { String($0.port) }.joined(separator: ",")))
        if targetSessionAttributes != .any {
            items.append(URLQueryItem(name: "target_session_attrs", value: targetSessionAttributes.rawValue))
        }
        components.queryItems = items
        return components.string ?? description
    }

    /// The URL without its password, for logs and messages.
    package var description: String {
        let credentials = username + (password == nil ? "" : ":***")
        let attributes = targetSessionAttributes == .any ? "" : "target_session_attrs=\(targetSessionAttributes.rawValue)"
        if endpoints.count == 1, case .tcp(let host, let port) = endpoint {
            let query = ["sslmode=\(sslMode.rawValue)", attributes].filter { !$0.isEmpty }.joined(separator: "&")
            return "postgres://\(credentials)@\(host):\(port)/\(database ?? "")?\(query)"
        }
        if endpoints.count == 1, case .unixSocket(let directory, let port) = endpoint {
            let query = ["host=\(directory)", "port=\(port)", attributes].filter { !$0.isEmpty }.joined(separator: "&")
            return "postgres://\(credentials)@/\(database ?? "")?\(query)"
        }
        let hosts = endpoints.map(\.hostText).joined(separator: ",")
        let ports = endpoints.map { String($0.port) }.joined(separator: ",")
        let tls = endpoints.contains { if case .tcp = $0 { true } else { false } } ? "sslmode=\(sslMode.rawValue)" : ""
        let query = ["host=\(hosts)", "port=\(ports)", tls, attributes].filter { !$0.isEmpty }.joined(separator: "&")
        return "postgres://\(credentials)@/\(database ?? "")?\(query)"
    }
}

extension DatabaseURL.Endpoint {
    /// The host name, address or socket directory, as libpq's `host=` takes it.
    package var hostText: String {
        switch self {
        case .tcp(let host, _): host
        case .unixSocket(let directory, _): directory
        }
    }

    /// The port (for a socket, the number in its file name).
    package var port: Int {
        switch self {
        case .tcp(_, let port), .unixSocket(_, let port): port
        }
    }

    /// "host:port" or the socket file, for messages.
    package var place: String {
        switch self {
        case .tcp(let host, let port): "\(host):\(port)"
        case .unixSocket: socketPath ?? hostText
        }
    }
}

/// A connection URI that could not be used, with the reason.
package struct DatabaseURLError: Error, CustomStringConvertible {
    package let description: String
    init(_ reason: String) { self.description = "invalid database URL: \(reason)" }
}
