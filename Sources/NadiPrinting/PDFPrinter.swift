public import Foundation
import Subprocess
import SystemPackage

/// Prints a self-contained HTML page to an A4 PDF with headless Chromium, the tool that lays the
/// report's CSS (print rules, inline SVG) out as a browser does. Chromium runs at nice 10 (a
/// report printed in nadid must not take CPU from ingest) under `timeout`, which ends its whole
/// process group (renderer, zygote) when the deadline passes.
public struct PDFPrinter: Sendable {
    /// The browser binary.
    public let browser: String
    let timeoutTool: String?
    let niceTool: String?

    /// How to get a PDF when no browser is installed.
    public static let installHint =
        "printing PDF needs Chromium: sudo apt-get install chromium fonts-dejavu-core (or bash Deploy/setup.sh --reports); or use --format html and print it from a browser"

    /// Chromium (`chromium`, `chromium-browser`, `google-chrome`) on PATH or in /usr/bin; nil when none.
    public static func find() -> PDFPrinter? {
        guard let browser = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(locate).first else { return nil }
        return PDFPrinter(browser: browser, timeoutTool: locate("timeout"), niceTool: locate("nice"))
    }

    static func locate(_ name: String) -> String? {
        let directories =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        return directories.lazy.filter { !$0.isEmpty }.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why printing failed, in words.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The PDF of `html`; fails with the browser's last words when it does not write one within `seconds`.
    public func pdf(html: String, seconds: Int = 90) async throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-print-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        let output = directory.appendingPathComponent("report.pdf")
        try Data(html.utf8).write(to: page)
        let browserArguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--mute-audio", "--renderer-process-limit=1",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--no-pdf-header-footer",
            "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        var command = [browser] + browserArguments
        if let timeoutTool { command = [timeoutTool, "-k", "5", String(seconds)] + command }
        if let niceTool { command = [niceTool, "-n", "10"] + command }
        let executable = Executable.path(FilePath(command[0]))
        let arguments = Array(command.dropFirst())
        var environment = Environment.inherit
        environment = environment.updating(["HOME": directory.path])
        let result = try await run(
            executable, arguments: Arguments(arguments), environment: environment, output: .discarded, error: .string(limit: 1 << 20))
        guard let data = FileManager.default.contents(atPath: output.path), data.starts(with: Array("%PDF".utf8)) else {
            let said = result.standardError.split(separator: "\n").suffix(3).joined(separator: " | ")
            let how = result.terminationStatus.isSuccess ? "wrote no PDF" : "ended with \(result.terminationStatus)"
            throw Failure(description: "\(browser) \(how)\(said.isEmpty ? "" : ": \(said)")")
        }
        return data
    }
}
