public import Foundation
public import NadiLauncher
public import NadiStore

#if canImport(Glibc)
    public import Glibc
#endif

/// A program run by a test (e.g. the built `nadid`), with its output in a file.
public final class ChildProcess: Sendable {
    let process: SpawnedProcess
    public var pid: pid_t { process.pid }
    public var logPath: String { process.logPath }

    /// The directory of the built products (`.build/debug`), where `nadid` and `nadi` are.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Starts `product` (a built executable of this package) with `arguments`.
    public init(product: String, arguments: [String], environment: [String: String] = [:]) throws {
        let path = Self.productsDirectory.appendingPathComponent(product).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ChildProcessError(description: "\(path) is not built; run `swift build` before the tests")
        }
        process = try SpawnedProcess(executable: path, arguments: arguments, environment: environment)
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL).
    public func send(_ signal: Int32) { process.send(signal) }

    /// Waits for the process to exit, up to `timeout`; returns its exit status (128+signal when killed), nil on timeout.
    public func wait(timeout: Duration) async -> Int32? { await process.wait(timeout: timeout) }

    /// What the process printed so far.
    public var output: String { process.output }

    /// A TCP port that was free a moment ago.
    public static func freePort() -> Int { LocalPort.free() }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
