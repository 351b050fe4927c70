/// Why the embedded PostgreSQL cluster could not be used.
package struct EmbeddedPostgresError: Error, CustomStringConvertible {
    private enum Base {
        case serverNotInstalled
        case toolFailed(tool: String, output: String)
        case stateDirectory(String)
        case noUnprivilegedUser
    }

    private let base: Base

    /// PostgreSQL's server programs are not on this machine.
    package static let serverNotInstalled = EmbeddedPostgresError(base: .serverNotInstalled)
    /// Running as root, and no unprivileged user exists to run the server.
    package static let noUnprivilegedUser = EmbeddedPostgresError(base: .noUnprivilegedUser)

    static func toolFailed(_ tool: String, output: String) -> Self { .init(base: .toolFailed(tool: tool, output: output)) }
    static func stateDirectory(_ reason: String) -> Self { .init(base: .stateDirectory(reason)) }

    package var description: String {
        switch base {
        case .serverNotInstalled:
            return """
                PostgreSQL server programs (initdb, pg_ctl, postgres) were not found. Install them:
                    sudo apt-get install -y postgresql postgresql-contrib
                or point Nadi at an existing server with --database-url / NADI_DATABASE_URL \
                (postgres://user:password@host:5432/nadi). Set NADI_PG_BINDIR if they live elsewhere.
                """
        case .toolFailed(let tool, let output):
            let tail = output.split(separator: "\n").suffix(12).joined(separator: "\n")
            return "\(tool) failed while managing the embedded PostgreSQL cluster:\n\(tail)"
        case .stateDirectory(let reason):
            return "the state directory cannot hold the embedded PostgreSQL cluster: \(reason)"
        case .noUnprivilegedUser:
            return """
                PostgreSQL refuses to run as root and no unprivileged user was found to run it as. \
                Create one (sudo useradd --system postgres) or set NADI_PG_USER to an existing user.
                """
        }
    }
}
