import Foundation
import NadiServerTestSupport
import NadiTestSupport
import Testing

/// `--help` that teaches, for every command of the built `nadi` (and `nadid`), and the shell
/// completions `Deploy/install.sh` installs, exercised in a real bash.
@Suite("CLI help and shell completions")
struct CLIHelpTests {
    /// A command of the tree ArgumentParser describes (`--experimental-dump-help`).
    struct Command: Decodable {
        struct Argument: Decodable {
            struct Name: Decodable { var name: String }
            var names: [Name]?
            var valueName: String?
            var abstract: String?
            var shouldDisplay: Bool?
        }
        var commandName: String
        var abstract: String?
        var discussion: String?
        var arguments: [Argument]?
        var subcommands: [Command]?
    }

    struct Dump: Decodable { var command: Command }

    static func run(_ product: String, _ arguments: [String]) async throws -> (status: Int32?, output: String) {
        let process = try ChildProcess(product: product, arguments: arguments, environment: ["NO_COLOR": "1", "COLUMNS": "100"])
        let status = await process.wait(timeout: .seconds(30))
        return (status, process.output)
    }

    /// Every command below `command` that runs something (not a group), with its path, but
    /// ArgumentParser's own `help`.
    static func leaves(_ command: Command, path: [String] = []) -> [(path: [String], command: Command)] {
        let here = path + [command.commandName]
        guard let subcommands = command.subcommands, !subcommands.isEmpty else {
            return command.commandName == "help" ? [] : [(here, command)]
        }
        return subcommands.flatMap { leaves($0, path: here) }
    }

    static func words(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test("every nadi command has an abstract, an example or explanation, help on every option, and --help that says so")
    func everyCommandTeaches() async throws {
        let dump = try await Self.run("nadi", ["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.output)")
        let tree = try JSONDecoder().decode(Dump.self, from: Data(dump.output.utf8)).command
        let commands = Self.leaves(tree)
        #expect(commands.count >= 29, "\(commands.map { $0.path.joined(separator: " ") })")
        for (path, command) in commands {
            let name = path.joined(separator: " ")
            #expect(!(command.abstract ?? "").isEmpty, "\(name) has an abstract")
            #expect(!(command.discussion ?? "").isEmpty, "\(name) explains itself or gives an example")
            for argument in command.arguments ?? [] where argument.shouldDisplay ?? true {
                let shown = argument.names?.first?.name ?? argument.valueName ?? "?"
                #expect(!(argument.abstract ?? "").isEmpty, "\(name): --\(shown) has help text")
            }
            let help = try await Self.run("nadi", Array(path.dropFirst()) + ["--help"])
            #expect(help.status == 0, "\(name) --help exits 0: \(help.output)")
            let text = Self.words(help.output)
            #expect(text.contains("USAGE: \(name)"), "\(name) --help shows its usage: \(help.output)")
            #expect(text.contains(Self.words(command.abstract ?? "")), "\(name) --help shows its abstract")
        }
        // The groups list their commands.
        let top = try await Self.run("nadi", ["--help"])
        for group in tree.subcommands ?? [] where group.commandName != "help" {
            #expect(top.output.contains(group.commandName), "nadi --help lists \(group.commandName)")
        }
    }

    @Test("nadid --help shows every option, each with help text, and examples")
    func daemonHelp() async throws {
        let help = try await Self.run("nadid", ["--help"])
        #expect(help.status == 0)
        let dump = try await Self.run("nadid", ["--experimental-dump-help"])
        let tree = try JSONDecoder().decode(Dump.self, from: Data(dump.output.utf8)).command
        for argument in tree.arguments ?? [] where argument.shouldDisplay ?? true {
            let shown = argument.names?.first?.name ?? "?"
            #expect(!(argument.abstract ?? "").isEmpty, "nadid --\(shown) has help text")
            #expect(help.output.contains("--\(shown)") || help.output.contains("-\(shown)"), "nadid --help shows --\(shown)")
        }
        #expect(help.output.contains("Examples:"))
    }

    @Test(
        "shell completions: bash, zsh and fish scripts are generated; in bash, nadi cov<TAB> completes and coverage --f<TAB> offers --format"
    )
    func completions() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Self.run("nadi", ["--generate-completion-script", shell])
            #expect(script.status == 0, "\(shell): \(script.output.prefix(500))")
            #expect(script.output.contains("nadi"), "\(shell)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nadi-completion-\(UUID().uuidString.prefix(6)).bash")
        let script = try await Self.run("nadi", ["--generate-completion-script", "bash"])
        try script.output.write(to: file, atomically: true, encoding: .utf8)
        let nadi = ChildProcess.productsDirectory.appendingPathComponent("nadi").path
        // What bash does on TAB: set COMP_WORDS/COMP_CWORD and call the function `complete -F` names.
        let probe = """
            set -e; source '\(file.path)'; PATH='\(ChildProcess.productsDirectory.path)':"$PATH"
            fn=$(complete -p nadi | sed -E 's/.* -F ([^ ]+) .*/\\1/')
            COMP_WORDS=(nadi cov); COMP_CWORD=1; COMP_LINE='nadi cov'; COMP_POINT=8; COMPREPLY=()
            $fn nadi cov nadi; echo "first: ${COMPREPLY[*]}"
            COMP_WORDS=(nadi coverage --f); COMP_CWORD=2; COMP_LINE='nadi coverage --f'; COMP_POINT=17; COMPREPLY=()
            $fn nadi --f coverage; echo "option: ${COMPREPLY[*]}"
            COMP_WORDS=(nadi user ''); COMP_CWORD=2; COMP_LINE='nadi user '; COMP_POINT=10; COMPREPLY=()
            $fn nadi '' user; echo "user: ${COMPREPLY[*]}"
            """
        let run = try await ToolRun.shell("bash -c \(Self.quoted(probe))", environment: ["NADI": nadi])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("first: coverage"), "\(run.output)")
        #expect(run.output.contains("option: --format"), "\(run.output)")
        for command in ["create", "list", "passwd", "disable"] {
            #expect(run.output.contains(command), "nadi user <TAB> offers \(command): \(run.output)")
        }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
