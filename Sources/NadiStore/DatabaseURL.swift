package import Foundation
import NIOSSL
package import PostgresNIO

/// A PostgreSQL connection URI in the form `psql` takes, so operators paste the same string into both:
/// `postgres://user:pass@host:5432/db?sslmode=require`, or `postgres://user@/db?host=/run/postgresql`
/// for a Unix socket.
package struct DatabaseURL: Sendable, CustomStringConvertible {
    package var username: String
    package var password: String?
    package var database: String?
    package var endpoint: Endpoint
    package var sslMode: SSLMode

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
        self.endpoint = endpoint
        self.sslMode = sslMode
    }

    /// Parses a `postgres://` or `postgresql://` URI; throws a `DatabaseURLError` that says what is wrong.
    package init(parsing text: String) throws {
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
        let known: Set = ["host", "port", "sslmode", "user", "password", "dbname", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw DatabaseURLError("unsupported parameter '\(unknown)'; supported: \(known.sorted().joined(separator: ", "))")
        }
        let port: Int
        if let text = query["port"] {
            guard let value = Int(text), (1...65535).contains(value) else { throw DatabaseURLError("port must be 1–65535") }
            port = value
        } else {
            port = components.port ?? 5432
        }
        guard (1...65535).contains(port) else { throw DatabaseURLError("port must be 1–65535") }
        let host = query["host"] ?? components.percentEncodedHost.flatMap { $0.removingPercentEncoding }
        if let host, host.hasPrefix("/") {
            self.endpoint = .unixSocket(directory: host, port: port)
        } else if let host, !host.isEmpty {
            self.endpoint = .tcp(host: host, port: port)
        } else {
            self.endpoint = .unixSocket(directory: "/var/run/postgresql", port: port)
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
    /// spent most of their time compiling — measured on the console benchmark's province
    /// trajectory query: 1,943 ms with JIT, 282 ms without. `work_mem = 16MB`: the province's
    /// uptime (50,000 devices' intervals summed per device) spilled its hash aggregate to disk at
    /// the default 4 MB (1,248 → 1,068 ms).
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
        switch endpoint {
        case .tcp(let host, let port):
            components.host = host
            components.port = port
            items.append(URLQueryItem(name: "sslmode", value: sslMode.rawValue))
        case .unixSocket(let directory, let port):
            items.append(URLQueryItem(name: "host", value: directory))
            items.append(URLQueryItem(name: "port", value: String(port)))
        }
        components.queryItems = items
        return components.string ?? description
    }

    /// The URL without its password, for logs and messages.
    package var description: String {
        let credentials = username + (password == nil ? "" : ":***")
        switch endpoint {
        case .tcp(let host, let port):
            return "postgres://\(credentials)@\(host):\(port)/\(database ?? "")?sslmode=\(sslMode.rawValue)"
        case .unixSocket(let directory, let port):
            return "postgres://\(credentials)@/\(database ?? "")?host=\(directory)&port=\(port)"
        }
    }
}

/// A connection URI that could not be used, with the reason.
package struct DatabaseURLError: Error, CustomStringConvertible {
    package let description: String
    init(_ reason: String) { self.description = "invalid database URL: \(reason)" }
}
