import Foundation
import HTTPTypes
import NadiCore
import NadiNotify
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

/// `nadi notify` through the built binary, against a real receiver.
@Suite("nadi notify")
struct NotifyCLITests {
    @Test("add, list (no secret), test against a live and a dead receiver, log, remove; bad input is refused with the reason")
    func lifecycle() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let secret = "cli-secret-\(UUID().uuidString.prefix(8))"
        let secretFile = try NadiCLI.file(secret + "\n")
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        try await AlertReceiver.with { receiver in
            let added = try await NadiCLI.run(
                [
                    "notify", "add", "--name", "command-centre", "--region", "16.71", "--kinds", "fiber_link,cctv", "--min-down", "2m",
                    "--webhook",
                    receiver.url + "/hooks/nadi", "--secret-file", secretFile,
                ], on: url)
            #expect(added.status == 0, "\(added.output)")
            #expect(added.output.contains("channel 'command-centre' added"), "\(added.output)")

            for (arguments, reason) in [
                (["--name", "x1", "--min-down", "5x", "--webhook", receiver.url, "--secret-file", secretFile], "min-down '5x'"),
                (["--name", "x2", "--region", "99.98", "--webhook", receiver.url, "--secret-file", secretFile], "unknown region 99.98"),
                (["--name", "command-centre", "--webhook", receiver.url, "--secret-file", secretFile], "exists already"),
                (["--name", "x3", "--webhook", "ftp://example/", "--secret-file", secretFile], "must be an http:// or https:// URL"),
                (["--name", "x4", "--webhook", receiver.url], "--webhook needs --secret-file"),
                (
                    ["--name", "x5", "--telegram-chat", "not a chat", "--telegram-token-file", secretFile],
                    "telegram-chat must be a chat id"
                ),
            ] {
                let refused = try await NadiCLI.run(["notify", "add"] + arguments, on: url)
                #expect(refused.status != 0 && refused.output.contains(reason), "\(arguments): \(refused.output)")
            }

            let listed = try await NadiCLI.run(["notify", "list"], on: url)
            #expect(
                listed.status == 0 && listed.output.contains("command-centre") && listed.output.contains("16.71 (fiber_link, cctv)"),
                "\(listed.output)")
            #expect(!listed.output.contains(secret), "notify list shows no secret")

            let tested = try await NadiCLI.run(["notify", "test", "command-centre"], on: url)
            #expect(tested.status == 0 && tested.output.contains("delivered to"), "\(tested.output)")
            let test = try #require(receiver.requests.first)
            #expect(test.path == "/hooks/nadi")
            #expect(test.json["type"] as? String == "test")
            #expect((test.json["message"] as? String ?? "").contains("Pesan uji dari Nadi"))
            #expect(AlertReceiver.signatureValid(test, secret: secret))

            let deadFile = try NadiCLI.file("another-secret")
            defer { try? FileManager.default.removeItem(atPath: deadFile) }
            let deadPort = ChildProcess.freePort()
            _ = try await NadiCLI.run(
                ["notify", "add", "--name", "dead", "--webhook", "http://127.0.0.1:\(deadPort)/", "--secret-file", deadFile], on: url)
            let dead = try await NadiCLI.run(["notify", "test", "dead"], on: url)
            #expect(dead.status == 1 && dead.output.contains("not delivered to http://127.0.0.1:\(deadPort)/"), "\(dead.output)")
            #expect(dead.output.contains("connection refused") || dead.output.contains("could not connect"), "\(dead.output)")

            let log = try await NadiCLI.run(["notify", "log"], on: url)
            #expect(log.status == 0 && log.output.contains("2 deliveries"), "\(log.output)")
            #expect(log.output.contains("delivered") && log.output.contains("failed"), "\(log.output)")

            #expect(try await NadiCLI.run(["notify", "remove", "dead"], on: url).status == 0)
            let again = try await NadiCLI.run(["notify", "remove", "dead"], on: url)
            #expect(again.status != 0 && again.output.contains("no channel named 'dead'"), "\(again.output)")
        }
    }
}
