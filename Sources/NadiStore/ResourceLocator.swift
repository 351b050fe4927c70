package import Foundation

/// Finds the files Nadi ships: the SQL migrations and the builtin reference data.
///
/// Looked up, in order: an environment override, next to the installed binary
/// (`<prefix>/share/nadi/…`, as `Deploy/install.sh` lays it out), SwiftPM's resource bundle, and the
/// source tree this binary was built from.
package enum ResourceLocator {
    /// The directory of numbered `.sql` migrations.
    package static func sqlDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        try first(
            "the SQL migrations were not found", override: "NADI_SQL_DIR", environment: environment, directory: true,
            [executableDirectory.appendingPathComponent("../share/nadi/SQL"), sourceRoot.appendingPathComponent("SQL")])
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
        try first(
            "the console templates were not found", override: "NADI_TEMPLATE_DIR", environment: environment, directory: true,
            [
                executableDirectory.appendingPathComponent("../share/nadi/templates"),
                executableDirectory.appendingPathComponent("nadi_NadiConsole.resources/Templates"),
                sourceRoot.appendingPathComponent("Sources/NadiConsole/Templates"),
            ])
    }

    /// The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`).
    package static func openAPIDocument(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        try first(
            "the OpenAPI document was not found", override: "NADI_OPENAPI_FILE", environment: environment, directory: false,
            [
                executableDirectory.appendingPathComponent("../share/nadi/openapi.json"),
                executableDirectory.appendingPathComponent("nadi_NadiServer.resources/openapi.json"),
                sourceRoot.appendingPathComponent("Sources/NadiServer/Resources/openapi.json"),
            ])
    }

    /// The first of the override (when set) and `candidates` that exists (as a directory when
    /// `directory`); else `notFound`, with every place looked in and the variable to set.
    private static func first(
        _ notFound: String, override: String, environment: [String: String], directory: Bool, _ candidates: [URL]
    ) throws -> URL {
        let all = (environment[override].map { [URL(fileURLWithPath: $0)] } ?? []) + candidates
        let exists: (URL) -> Bool = { directory ? isDirectory($0) : FileManager.default.fileExists(atPath: $0.path) }
        if let found = all.first(where: exists) { return found.standardizedFileURL }
        throw ResourceError("\(notFound) (looked in \(all.map(\.path).joined(separator: ", "))); set \(override)")
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
