import ArgumentParser
import Foundation

/// How a report is printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Whether to colour terminal output: only on a terminal, and never with NO_COLOR set.
enum Terminal {
    static var colours: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
