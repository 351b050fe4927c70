import Foundation
import NadiServerTestSupport
import NadiTestSupport
import Testing

/// The HTTP API against its OpenAPI document, judged by schemathesis (PyPI, installed by
/// `Deploy/setup.sh --test-peers`): every operation, positive and negative data, the stateful
/// links, every check it has plus Nadi's own (`Tests/Contract/nadi_checks.py`). The run's seed is
/// fixed so CI is repeatable; `NADI_SCHEMATHESIS_SEED=random` (or a number) explores further.
@Suite("The HTTP API against its OpenAPI document (schemathesis)")
struct SchemathesisTests {
    static let contract = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Contract")
    static let document = contract.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/NadiServer/Resources/openapi.json")

    @Test("schemathesis: every operation, positive and negative data, stateful links — no failures, no 5xx")
    func schemathesisRun() async throws {
        let installed = try await ToolRun.shell("python3 -c 'import schemathesis'")
        try #require(installed.status == 0, "schemathesis is installed (Deploy/setup.sh --test-peers): \(installed.output)")
        let operations = try Self.operationCount()
        try await LiveDaemon.with { nadid in
            // The document nadid serves is the one in the repository, byte for byte.
            let served = await nadid.get("/openapi.json")
            #expect(served.status == 200)
            #expect(served.body == (try String(contentsOf: Self.document, encoding: .utf8)))
            // The device the document's examples and the config's parameters name, so reads and
            // maintenance reach a real device and not only 404.
            let registered = await nadid.post(
                "v1/inventory",
                #"[{"id":"PLG-FO-3","kind":"fiber_link","region":"16.71.02","name":"Ring A","installed":"2024-01-01","attributes":{"length_km":12.5,"a_end":"POP A","z_end":"POP B"}},{"id":"PLG-CCTV-0001","kind":"cctv","region":"16.71.01","name":"Simpang Charitas","installed":"2021-03-15","attributes":{"public":true,"stream_url":"rtsp://10.1.2.3/main"}}]"#
            )
            try #require(registered.status == 200, "\(registered.body)")
            let seed = ProcessInfo.processInfo.environment["NADI_SCHEMATHESIS_SEED"] ?? "20261202"
            let seedArgument = seed == "random" ? "" : "--seed \(seed)"
            // Run from a scratch directory: schemathesis keeps a cache where it runs, and a test
            // run must leave the clone as it found it.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-schemathesis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let run = try await ToolRun.shell(
                "cd '\(scratch.path)' && schemathesis --config-file '\(Self.contract.path)/schemathesis.toml' run \(seedArgument) "
                    + "http://127.0.0.1:\(nadid.port)/openapi.json",
                environment: [
                    "NO_COLOR": "1", "NADI_TOKEN": nadid.token, "SCHEMATHESIS_HOOKS": "nadi_checks", "PYTHONPATH": Self.contract.path,
                ],
                timeout: .seconds(480))
            let summary = run.output.components(separatedBy: "=== SUMMARY ===").last ?? run.output
            print("schemathesis summary:\n\(summary)")
            #expect(run.status == 0, "schemathesis failed:\n\(run.output.suffix(12000))")
            #expect(run.output.contains("Tested: \(operations)"), "every operation of the document was tested:\n\(summary)")
            #expect(!run.output.contains("❌"), "\(summary)")
            #expect(run.output.range(of: #"[0-9]+ generated, [0-9]+ passed"#, options: .regularExpression) != nil, "\(summary)")
            #expect(
                !FileManager.default.fileExists(atPath: Self.contract.appendingPathComponent(".schemathesis").path),
                "schemathesis left its cache in the repository")
        }
    }

    /// How many operations the document declares, but for `GET /openapi.json` itself (schemathesis
    /// does not test the document it loaded from).
    static func operationCount() throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: document))
        let paths = (object as? [String: Any])?["paths"] as? [String: [String: Any]] ?? [:]
        let methods: Set<String> = ["get", "post", "put", "delete", "patch"]
        return paths.filter { $0.key != "/openapi.json" }.values.reduce(0) { $0 + $1.keys.filter(methods.contains).count }
    }
}
