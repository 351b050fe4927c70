import Foundation
import Testing

/// Rules about the code itself that a reviewer would otherwise check by eye: each fails if the
/// thing it forbids appears again in `Sources`.
@Suite("Source rules")
struct SourceRulesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every Swift file under Sources, with its path relative to the package.
    static func swiftFiles() throws -> [(path: String, text: String)] {
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        var files: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            files.append(
                (
                    url.path.replacingOccurrences(of: sources.deletingLastPathComponent().path + "/", with: ""),
                    try String(contentsOf: url, encoding: .utf8)
                ))
        }
        return files
    }

    @Test("SQLSTATEs are compared as postgres-nio's named codes, never as string literals")
    func noSQLStateLiterals() throws {
        let files = try Self.swiftFiles()
        #expect(files.count > 100, "the sources are where the test looks: \(Self.sources.path)")
        let literal = /"[0-9]{2}[0-9A-Z]{3}"/
        for (path, text) in files where text.contains(literal) {
            Issue.record("\(path) writes an SQLSTATE as a literal; use PostgresError.Code (.uniqueViolation, …)")
        }
    }

    @Test("the operational rule is written once: SQL in Sources calls nadi_is_operational (schema part 19)")
    func operationalOnce() throws {
        let spelled = /IN \('up', ?'degraded'\)/
        for (path, text) in try Self.swiftFiles() where text.contains(spelled) {
            Issue.record("\(path) spells out the operational rule; call nadi_is_operational(status) (SQL) or DeviceStatus.isOperational")
        }
    }

    @Test("'in service on day D' is written once: SQL in Sources calls nadi_in_service or nadi_decommissioned_by (schema part 20)")
    func inServiceOnce() throws {
        let spelled = /decommissioned_on IS NULL OR|installed_on <=/
        for (path, text) in try Self.swiftFiles() where text.contains(spelled) {
            Issue.record("\(path) spells out when a device is in service; call nadi_in_service(installed_on, decommissioned_on, day)")
        }
    }

    @Test("the silence threshold is written once: Heartbeat.silenceAfter in Swift, nadi_silence_after in SQL (schema part 21)")
    func silenceOnce() throws {
        let spelled = /interval_s \* \\\(missCount\)|interval \* missCount|\* Double\(missCount\)/
        for (path, text) in try Self.swiftFiles() where !path.hasSuffix("NadiCore/Timeline.swift") && text.contains(spelled) {
            Issue.record("\(path) computes the silence threshold itself; use Heartbeat.silenceAfter or nadi_silence_after")
        }
    }
}
