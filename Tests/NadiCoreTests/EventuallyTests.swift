import NadiTestSupport
import Synchronization
import Testing

/// The tests' waiting helpers: they answer as soon as the condition holds, and fail at the caller's
/// line with what they last saw.
@Suite("Waiting helpers")
struct EventuallyTests {
    @Test("eventually returns the first answer that holds; at its deadline it records the last answer at the caller's line")
    func eventuallyReports() async throws {
        let counter = Mutex(0)
        let reached = try await eventually("the counter reaches 3", every: .milliseconds(1)) {
            counter.withLock { value in
                value += 1
                return value
            }
        } until: {
            $0 >= 3
        }
        #expect(reached == 3)

        let line = #_sourceLocation.line + 2
        try await withKnownIssue {
            _ = try await eventually("a value that never comes", timeout: .milliseconds(50), every: .milliseconds(5)) {
                7
            } until: {
                $0 == 8
            }
        } matching: { issue in
            "\(issue)".contains("a value that never comes") && "\(issue)".contains("last seen: 7") && issue.sourceLocation?.line == line
        }
    }

    @Test("staysTrue passes while the claim holds and records the first answer that breaks it")
    func staysTrueReports() async throws {
        try await staysTrue("always one", for: .milliseconds(30), every: .milliseconds(5)) {
            1
        } holds: {
            $0 == 1
        }
        let counter = Mutex(0)
        try await withKnownIssue {
            try await staysTrue("stays below 3", for: .seconds(5), every: .milliseconds(1)) {
                counter.withLock { value in
                    value += 1
                    return value
                }
            } holds: {
                $0 < 3
            }
        } matching: {
            "\($0)".contains("broken") && "\($0)".contains(": 3")
        }
    }
}
