import Foundation
import Testing

/// The module map of README's "Code layout", checked against the `import` lines of `Sources`: a
/// module that starts importing something outside its row fails here, so the layering (the domain
/// free of I/O, SQL in the store, the executables thin) is kept by the build, not by review.
@Suite("Module map")
struct ModuleMapTests {
    /// What each module may import, besides the standard library and the platform's (`everywhere`).
    static let allowed: [String: Set<String>] = [
        "NadiCore": [],
        "NadiSupport": ["HummingbirdBcrypt"],
        "NadiStore": [
            "NadiCore", "NadiSupport", "PostgresNIO", "Logging", "Metrics", "ServiceLifecycle", "Crypto", "CSV", "NIOSSL", "NIOCore",
            "NIOPosix",
        ],
        "NadiLauncher": ["NadiStore", "PostgresNIO", "Logging", "NIOCore", "NIOPosix"],
        "NadiReports": ["NadiCore"],
        "NadiPrinting": ["Subprocess", "SystemPackage"],
        "NadiNotify": [
            "NadiCore", "NadiStore", "NadiReports", "NadiPrinting", "AsyncHTTPClient", "Crypto", "Logging", "Metrics", "NIOCore",
            "NIOHTTP1", "PostgresNIO", "ServiceLifecycle",
        ],
        "NadiConsole": [
            "NadiCore", "NadiStore", "NadiSupport", "NadiReports", "NadiPrinting", "Hummingbird", "Mustache", "HTTPTypes", "Logging",
            "PostgresNIO", "NIOCore", "NIOPosix", "ServiceLifecycle",
        ],
        "NadiServer": [
            "NadiCore", "NadiStore", "NadiSupport", "NadiReports", "NadiNotify", "NadiConsole", "Hummingbird", "HummingbirdAuth",
            "HTTPTypes", "Logging",
            "Metrics", "Prometheus", "ServiceLifecycle", "NIOCore", "NIOPosix", "Subprocess", "SystemPackage", "PostgresNIO",
        ],
        "NadiDemo": [
            "NadiCore", "NadiStore", "NadiServer", "Hummingbird", "Logging", "PostgresNIO", "Prometheus", "ServiceLifecycle",
        ],
        "NadiBench": ["NadiCore", "NadiStore", "NadiLauncher", "PostgresNIO", "Logging", "NIOCore", "NIOPosix", "NIOHTTP1"],
        "nadid": [
            "NadiServer", "NadiNotify", "NadiCore", "NadiStore", "NadiLauncher", "NadiDemo", "ArgumentParser", "Logging", "Metrics",
            "Prometheus", "PostgresNIO", "Hummingbird", "ServiceLifecycle", "UnixSignals",
        ],
        "nadi": [
            "NadiCore", "NadiStore", "NadiReports", "NadiLauncher", "NadiBench", "NadiNotify", "NadiPrinting", "ArgumentParser",
            "Logging", "PostgresNIO", "UnixSignals",
        ],
    ]
    static let everywhere: Set<String> = ["Foundation", "FoundationNetworking", "Synchronization", "Glibc", "Darwin", "Dispatch"]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules each module's files import, from their `import` lines.
    static func imports() throws -> [String: [String: Set<String>]] {
        var found: [String: [String: Set<String>]] = [:]
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path)
        let line = /^(?:@testable |package |public |internal |@preconcurrency )*import (?:struct |enum |class |func )?([A-Za-z0-9_]+)/
        for module in modules {
            let enumerator = FileManager.default.enumerator(at: sources.appendingPathComponent(module), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift" else { continue }
                for text in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                    guard let match = text.trimmingCharacters(in: .whitespaces).firstMatch(of: line) else { continue }
                    found[module, default: [:]][String(match.1), default: []].insert(url.lastPathComponent)
                }
            }
        }
        return found
    }

    @Test("every module imports only what README's module map allows it, and every module of Sources is in the map")
    func importsFollowTheMap() throws {
        let found = try Self.imports()
        #expect(found.count >= 12, "the sources are where the test looks: \(Self.sources.path)")
        for (module, imported) in found.sorted(by: { $0.key < $1.key }) {
            guard let allowed = Self.allowed[module] else {
                Issue.record("module \(module) is not in the module map (README, Code layout, and this test)")
                continue
            }
            for (name, files) in imported.sorted(by: { $0.key < $1.key }) where !allowed.contains(name) && !Self.everywhere.contains(name) {
                Issue.record(
                    "\(module) imports \(name) (in \(files.sorted().joined(separator: ", "))), which its row of the module map does not allow"
                )
            }
        }
    }

    @Test("the layers: the domain does no I/O, the store does not reach up, nadid does not link the benchmarks")
    func layers() throws {
        let found = try Self.imports()
        func names(_ module: String) -> Set<String> { Set(found[module].map { Array($0.keys) } ?? []) }
        let io: Set<String> = ["PostgresNIO", "NIOCore", "NIOPosix", "Hummingbird", "AsyncHTTPClient", "Subprocess"]
        #expect(names("NadiCore").isDisjoint(with: io))
        #expect(names("NadiReports").isDisjoint(with: io.union(["NadiStore"])))
        let above: Set<String> = ["NadiServer", "NadiConsole", "NadiNotify", "NadiDemo", "NadiBench", "NadiLauncher", "NadiReports"]
        #expect(names("NadiStore").isDisjoint(with: above))
        #expect(found["nadid"]?["NadiBench"] == nil)
        #expect(found["NadiStore"]?["HummingbirdBcrypt"] == nil, "password hashing lives in NadiSupport")
    }
}
