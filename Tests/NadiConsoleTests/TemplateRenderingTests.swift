import Foundation
import NadiCore
import NadiReports
import NadiServerTestSupport
import Testing

@testable import NadiConsole

/// Mustache takes an empty string or an absent optional for true; the renderer drops them, so no
/// template shows the words around a value that is not there.
@Suite("Console templates with absent values")
struct TemplateRenderingTests {
    static let words = ConsoleCatalog.words(.id)

    @Test("every template renders with nothing in its context: no raw tags, no missing template")
    func everyTemplateEmpty() throws {
        let renderer = try ConsoleRenderer()
        let directory = try ResourceLocatorForTests.templates()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".mustache") {
            let template = String(name.dropLast(".mustache".count))
            let html = renderer.html(template, ["t": Self.words])
            #expect(!html.contains("{{") && !html.contains("missing"), "\(template)")
        }
    }

    @Test("an incident without acknowledgement, a state without reason, an active channel and extreme metrics read right")
    func absentOptionals() throws {
        let renderer = try ConsoleRenderer()
        let noAck: [String: String]? = nil
        let overview = renderer.html(
            "overview",
            [
                "t": Self.words,
                "incidents": [["root": "PLG-FO-1", "name": "Ring", "ack": noAck as Any, "can_ack": false, "dependents": 3]],
            ])
        #expect(overview.contains("PLG-FO-1"))
        #expect(!overview.contains(Self.words["acked_by"] ?? "acked_by"), "acknowledged by nobody: \(overview)")
        let device = renderer.html("device", ["t": Self.words, "device": ["status_label": "Aktif", "reason": ""] as [String: Any]])
        #expect(device.contains(">Aktif</dd>"), "no empty brackets after the state: \(device)")
        let admin = renderer.html(
            "admin", ["t": Self.words, "channels": [["name": "ops", "type": "telegram", "state": ""]], "users": [[String: Any]]()])
        #expect(admin.contains(Self.words["active"] ?? "active"))
        #expect(!admin.contains((Self.words["disabled"] ?? "disabled") + ":"), "an active channel is not 'disabled:'")
        let spark = SVGChart.sparkline(
            [
                (Date(timeIntervalSince1970: 0), -1.7e308), (Date(timeIntervalSince1970: 60), 1.7e308),
                (Date(timeIntervalSince1970: 90), .nan),
            ],
            label: "x")
        #expect(!spark.isEmpty && !spark.lowercased().contains("nan") && !spark.contains("inf"), "\(spark)")
    }
}

/// Where the console's templates are, for the test that renders each of them.
enum ResourceLocatorForTests {
    static func templates() throws -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/NadiConsole/Templates")
    }
}
