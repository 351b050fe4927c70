import ArgumentParser
import Foundation

/// `--output FILE`: where a report goes, shared by the commands that write one.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write to this file instead of standard output.") var output: String?

    /// True when the report goes to the terminal (colours may be used).
    var toTerminal: Bool { output == nil }

    /// Writes `text` to the file (then says `summary` on standard error) or to standard output.
    func write(_ text: String, summary: @autoclosure () -> String? = nil) throws {
        guard let output else {
            print(text, terminator: "")
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
            throw CLIError("cannot write \(output)")
        }
        if let summary = summary() { FileHandle.standardError.write(Data("\(summary) written to \(output)\n".utf8)) }
    }
}
