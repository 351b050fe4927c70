import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a helper program (initdb, pg_ctl, …) without blocking a thread, capturing its output.
///
/// Uses `posix_spawn` and polls `waitpid(WNOHANG)`: short-lived helpers finish in milliseconds to
/// seconds, and polling needs no signal handler or extra thread. The child gets no descriptors of
/// ours but stdin (/dev/null) and stdout/stderr (a temporary file, not a pipe, so a server it forks
/// cannot hold us up by keeping a pipe open).
enum ProcessRunner {
    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `executable` with `arguments`; when `user` is set, runs it as that user through `runuser`
    /// (only possible as root).
    static func run(_ executable: String, _ arguments: [String], as user: String? = nil) async throws -> Result {
        let argv0: String
        let args: [String]
        if let user {
            argv0 = runuserPath
            args = ["-u", user, "--", executable] + arguments
        } else {
            argv0 = executable
            args = arguments
        }
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-proc-\(UUID().uuidString).log").path
        defer { unlink(logPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments = ([argv0] + args).map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv0, &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw EmbeddedPostgresError.toolFailed(argv0, output: "cannot start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var delay: UInt64 = 2_000_000
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR {
                throw EmbeddedPostgresError.toolFailed(argv0, output: "waitpid: \(String(cString: strerror(errno)))")
            }
            try? await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, 50_000_000)
        }
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return Result(status: exitCode, output: output)
    }

    static var runuserPath: String {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/sbin/runuser"
    }
}
