package import Foundation
import NadiLauncher
import NadiStore

#if canImport(Glibc)
    import Glibc
#endif

/// A program run by a test (e.g. the built `nadid`), with its output in a file.
package final class ChildProcess: Sendable {
    let process: SpawnedProcess
    package var pid: pid_t { process.pid }
    package var logPath: String { process.logPath }

    /// The directory of the built products (`.build/debug`), where `nadid` and `nadi` are.
    package static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Starts `product` (a built executable of this package) with `arguments`.
    package init(product: String, arguments: [String], environment: [String: String] = [:]) throws {
        let path = Self.productsDirectory.appendingPathComponent(product).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ChildProcessError(description: "\(path) is not built; run `swift build` before the tests")
        }
        process = try SpawnedProcess(executable: path, arguments: arguments, environment: environment)
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL).
    package func send(_ signal: Int32) { process.send(signal) }

    /// Waits for the process to exit, up to `timeout`; returns its exit status (128+signal when killed), nil on timeout.
    package func wait(timeout: Duration) async -> Int32? { await process.wait(timeout: timeout) }

    /// What the process printed so far.
    package var output: String { process.output }

    /// A TCP port that was free a moment ago.
    package static func freePort() -> Int { LocalPort.free() }
}

package struct ChildProcessError: Error, CustomStringConvertible {
    package let description: String
    package init(description: String) { self.description = description }
}
