import Foundation
import NadiLauncher
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Child processes end with the tests")
struct SpawnedProcessTests {
    @Test("terminate ends a child that ignores SIGTERM (SIGKILL after the grace) and reaps it")
    func terminateIgnoringChild() throws {
        let child = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"])
        defer { unlink(child.logPath) }
        for _ in 0..<200 where !child.output.contains("ready") { usleep(10_000) }
        let started = ContinuousClock.now
        child.terminate(grace: .milliseconds(300))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(kill(child.pid, 0) != 0, "the child is gone (and reaped: no zombie answers kill 0)")
    }

    @Test("with NADI_CHILD_LEDGER set, every child is written to it with its start time, for the test script's check")
    func ledger() throws {
        guard let path = ProcessInfo.processInfo.environment["NADI_CHILD_LEDGER"] else {
            // Run outside Deploy/test.sh: the ledger is the script's, nothing to check here.
            return
        }
        let child = try SpawnedProcess(executable: "/bin/true", arguments: [])
        defer { unlink(child.logPath) }
        child.terminate()
        let lines = (try String(contentsOfFile: path, encoding: .utf8)).split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("\(child.pid) ") && $0.hasSuffix("/bin/true") })
    }
}
