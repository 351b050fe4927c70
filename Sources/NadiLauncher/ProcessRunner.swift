import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a helper program (initdb, pg_ctl, …) without blocking a thread, capturing its output.
///
/// Short-lived helpers finish in milliseconds to seconds; see `SpawnedProcess` for how they are run.
package enum ProcessRunner {
    package struct Result {
        package var status: Int32
        package var output: String
    }

    /// Runs `executable` with `arguments`; when `user` is set, runs it as that user through `runuser`
    /// (only possible as root).
    package static func run(_ executable: String, _ arguments: [String], as user: String? = nil) async throws -> Result {
        let argv0: String
        let args: [String]
        if let user {
            argv0 = runuserPath
            args = ["-u", user, "--", executable] + arguments
        } else {
            argv0 = executable
            args = arguments
        }
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess(executable: argv0, arguments: args)
        } catch {
            throw EmbeddedPostgresError.toolFailed(argv0, output: "\(error)")
        }
        defer { unlink(process.logPath) }
        guard let exitCode = await process.wait() else {
            throw EmbeddedPostgresError.toolFailed(argv0, output: "waitpid: \(String(cString: strerror(errno)))")
        }
        let output = process.output
        return Result(status: exitCode, output: output)
    }
    static var runuserPath: String {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/sbin/runuser"
    }
}
