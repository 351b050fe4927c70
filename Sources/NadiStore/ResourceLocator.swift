package import Foundation

/// Finds the files Nadi ships: the SQL migrations and the builtin reference data.
///
/// Looked up, in order: an environment override, next to the installed binary
/// (`<prefix>/share/nadi/…`, as `Deploy/install.sh` lays it out), SwiftPM's resource bundle, and the
/// source tree this binary was built from.
package enum ResourceLocator {
    /// The directory of numbered `.sql` migrations.
    package static func sqlDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let explicit = environment["NADI_SQL_DIR"] { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(executableDirectory.appendingPathComponent("../share/nadi/SQL"))
        candidates.append(sourceRoot.appendingPathComponent("SQL"))
        if let found = candidates.first(where: { isDirectory($0) }) { return found.standardizedFileURL }
        throw ResourceError(
            "the SQL migrations were not found (looked in \(candidates.map(\.path).joined(separator: ", "))); set NADI_SQL_DIR")
    }

    /// A builtin data file, e.g. `id-regions.csv` or `schools/schools-kota-palembang.csv`.
    package static func dataFile(_ relativePath: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> URL
    {
        var candidates: [URL] = []
        if let explicit = environment["NADI_DATA_DIR"] { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(executableDirectory.appendingPathComponent("../share/nadi/data"))
        candidates.append(executableDirectory.appendingPathComponent("nadi_NadiStore.resources/Resources"))
        candidates.append(sourceRoot.appendingPathComponent("Sources/NadiStore/Resources"))
        for directory in candidates {
            let file = directory.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: file.path) { return file.standardizedFileURL }
        }
        throw ResourceError("builtin data file '\(relativePath)' was not found; set NADI_DATA_DIR")
    }

    /// The web console's templates and static files.
    package static func templateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let explicit = environment["NADI_TEMPLATE_DIR"] { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(executableDirectory.appendingPathComponent("../share/nadi/templates"))
        candidates.append(executableDirectory.appendingPathComponent("nadi_NadiConsole.resources/Templates"))
        candidates.append(sourceRoot.appendingPathComponent("Sources/NadiConsole/Templates"))
        if let found = candidates.first(where: { isDirectory($0) }) { return found.standardizedFileURL }
        throw ResourceError(
            "the console templates were not found (looked in \(candidates.map(\.path).joined(separator: ", "))); set NADI_TEMPLATE_DIR")
    }

    /// The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`).
    package static func openAPIDocument(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let explicit = environment["NADI_OPENAPI_FILE"] { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(executableDirectory.appendingPathComponent("../share/nadi/openapi.json"))
        candidates.append(executableDirectory.appendingPathComponent("nadi_NadiServer.resources/openapi.json"))
        candidates.append(sourceRoot.appendingPathComponent("Sources/NadiServer/Resources/openapi.json"))
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found.standardizedFileURL }
        throw ResourceError(
            "the OpenAPI document was not found (looked in \(candidates.map(\.path).joined(separator: ", "))); set NADI_OPENAPI_FILE")
    }

    static var executableDirectory: URL {
        Bundle.main.executableURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: ".")
    }

    /// The package root this file was compiled from.
    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}

/// A shipped file that could not be found.
package struct ResourceError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
