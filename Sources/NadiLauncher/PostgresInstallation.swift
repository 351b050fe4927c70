import Foundation

/// The PostgreSQL server programs installed on this machine.
package struct PostgresInstallation: Sendable {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    package let binDirectory: String

    package func tool(_ name: String) -> String { "\(binDirectory)/\(name)" }

    /// Finds the server programs: `$NADI_PG_BINDIR`, then `pg_config --bindir`, then Debian's
    /// `/usr/lib/postgresql/<version>/bin` (newest first), then `$PATH`.
    package static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        pgConfigs: [String] = ["/usr/bin/pg_config", "/usr/local/bin/pg_config"],
        debianRoot: String = "/usr/lib/postgresql"
    ) async throws -> PostgresInstallation {
        var candidates: [String] = []
        if let explicit = environment["NADI_PG_BINDIR"] { candidates.append(explicit) }
        for config in pgConfigs where FileManager.default.isExecutableFile(atPath: config) {
            if let result = try? await ProcessRunner.run(config, ["--bindir"]), result.status == 0 {
                candidates.append(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        candidates += versions.map { "\(debianRoot)/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates
        where ["initdb", "pg_ctl", "postgres"].allSatisfy({ FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }) {
            return PostgresInstallation(binDirectory: directory)
        }
        throw EmbeddedPostgresError.serverNotInstalled
    }
}
