import Foundation

/// A program nadid runs for a job it does best (FFmpeg decodes streams, fping sends ICMP echo
/// without nadid needing raw sockets), found on `PATH` or in the usual places.
struct ExternalTool: Sendable {
    let path: String

    /// The program named `name`, or nil when it is not installed.
    static func find(_ name: String) -> ExternalTool? {
        let directories =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return ExternalTool(path: candidate) }
        }
        return nil
    }
}
