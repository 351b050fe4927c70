import Foundation
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

@Suite("Web console in a real Chromium")
struct ConsoleBrowserTests {
    static let steps = [
        "login and overview", "filter devices", "csv matches the json api", "device timeline", "coverage drill-down and trajectory",
        "switch language", "log out", "viewer region scope", "public school page", "no javascript errors",
    ]

    @Test(
        "log in, overview, filter devices, CSV against the JSON API, device timeline, coverage drill-down, language, log out, viewer scope, public school page, no JS errors"
    )
    func browse() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/console_flow.py")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Chromium is installed (Deploy/setup.sh --test-peers)")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "chromium-driver is installed")
        try await NadiTestApp.run(configure: { $0.publicSchools = true }) { app, http, db in
            try await ConsoleFixtures.seed(http, app, db)
            let port = try #require(http.port)
            let run = try SpawnedProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "python3", script.path, "--base", "http://127.0.0.1:\(port)", "--password", ConsoleFixtures.password,
                    "--token", app.admin,
                ],
                environment: [:])
            let status = await run.wait(timeout: .seconds(240))
            let output = run.output
            #expect(status == 0, "the browser flow failed:\n\(output)")
            let missing = Self.steps.filter { !output.contains("step: \($0)\n") }
            #expect(missing.isEmpty, "steps that did not run: \(missing)")
        }
    }
}
