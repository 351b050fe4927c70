import Foundation
import NadiDemo
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

/// The demo saves its console password and token in the state directory: readable by their owner only.
@Suite("Demo secrets on disk")
struct DemoSecretsTests {
    static func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("demo-console and demo-token are 0600, and a world-readable demo-console left by an older nadid is made 0600")
    func ownerOnly() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestClient.with(url) { client async throws in
            let password = try await demoConsoleUser(client: client, stateDirectory: directory.path, logger: TestCluster.quietLogger)
            let console = directory.appendingPathComponent("demo-console").path
            #expect(try Self.mode(console) == 0o600)
            #expect(try String(contentsOfFile: console, encoding: .utf8) == password)
            _ = try await demoToken(client: client, stateDirectory: directory.path, logger: TestCluster.quietLogger)
            #expect(try Self.mode(directory.appendingPathComponent("demo-token").path) == 0o600)

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: console)
            let again = try await demoConsoleUser(client: client, stateDirectory: directory.path, logger: TestCluster.quietLogger)
            #expect(again == password, "the saved password is reused")
            #expect(try Self.mode(console) == 0o600)
        }
    }
}
