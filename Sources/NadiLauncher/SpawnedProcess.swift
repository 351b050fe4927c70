package import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child program started with `posix_spawn`, its output going to a file.
///
/// Foundation's `Process` relies on a SIGCHLD handler that proved unreliable here (children left as
/// zombies); this polls `waitpid(WNOHANG)` instead, which needs no handler and no extra thread. The
/// child gets stdin from /dev/null and stdout/stderr in `logPath` (a file, not a pipe, so a server it
/// forks cannot hold anyone up by keeping a pipe open).
package final class SpawnedProcess: Sendable {
    /// The child's process id.
    package let pid: pid_t
    /// Where its stdout and stderr go.
    package let logPath: String

    /// Starts `executable` with `arguments`; `environment` entries are added to (or replace) ours.
    package init(executable: String, arguments: [String], environment: [String: String] = [:], logPath: String? = nil) throws {
        self.logPath =
            logPath ?? FileManager.default.temporaryDirectory.appendingPathComponent("nadi-proc-\(UUID().uuidString.prefix(12)).log").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, self.logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        Self.recordInLedger(pid: child, executable: executable)
        Self.running.withLock { _ = $0.insert(child) }
    }

    /// Children started and not yet reaped, so a command stopped by a signal can end them too.
    static let running = Mutex<Set<pid_t>>([])

    /// Sends SIGTERM to every child this process started that has not been reaped (a CLI command
    /// stopped by Ctrl-C or SIGTERM: the benchmark's nadid must not outlive it).
    package static func terminateAll() {
        for pid in running.withLock({ $0 }) { kill(pid, SIGTERM) }
    }

    /// With `NADI_CHILD_LEDGER` set (the test script sets it), every child is written there (pid,
    /// kernel start time, program), so the script can fail the run if one outlives it.
    static func recordInLedger(pid: pid_t, executable: String) {
        guard let path = ProcessInfo.processInfo.environment["NADI_CHILD_LEDGER"], !path.isEmpty else { return }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Field 22 (start time) counts from the field after the command name, which may hold spaces.
        let afterName = stat.split(separator: ")", omittingEmptySubsequences: false).last ?? ""
        let start = afterName.split(separator: " ").dropFirst(19).first ?? "0"
        let line = "\(pid) \(start) \(executable)\n"
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { return }
        _ = line.withCString { write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …).
    package func send(_ signal: Int32) { kill(pid, signal) }

    /// Ends the child and reaps it: SIGTERM, up to `grace` to exit, then SIGKILL. Blocks the calling
    /// thread (at most `grace` and a moment), so it also works from a `defer`.
    package func terminate(grace: Duration = .seconds(5)) {
        var status: Int32 = 0
        defer { Self.running.withLock { _ = $0.remove(pid) } }
        if waitpid(pid, &status, WNOHANG) == pid { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Waits for the child to exit, up to `timeout` (forever when nil); returns its exit status
    /// (128 + signal when a signal ended it), or nil on timeout.
    package func wait(timeout: Duration? = nil) async -> Int32? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var status: Int32 = 0
        var delay = Duration.milliseconds(2)
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                Self.running.withLock { _ = $0.remove(pid) }
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            if result < 0 && errno != EINTR { return nil }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(50))
        }
        return nil
    }

    /// What the child printed so far.
    package var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The child's peak resident memory in bytes (`VmHWM` in /proc), nil once it is gone or where
    /// /proc does not say.
    package var peakResidentBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}

/// A program could not be started.
package struct SpawnError: Error, CustomStringConvertible {
    package let description: String
}
