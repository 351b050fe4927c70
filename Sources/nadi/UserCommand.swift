import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

#if canImport(Glibc)
    import Glibc
#endif

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Console users: who may log in to nadid's web console, and what they see.",
        discussion: """
            A user sees only their region subtree: a viewer of 16.71 (Kota Palembang) sees no device, row or download of
            16.01. Roles: viewer (reads pages and downloads), operator (also plans maintenance), admin (also manages users
            and alert channels). Passwords are stored as bcrypt hashes; they are read from the terminal (asked twice) or,
            with --password-stdin, from the first line of standard input — never from the command line.

            Examples:
              nadi user create --name ops-rina --region 16.71 --role operator
              printf '%s\\n' "$PASSWORD" | nadi user create --name bappeda --region 16.71 --role viewer --password-stdin
              nadi user list
              nadi user passwd ops-rina
              nadi user disable ops-rina        # ends their sessions at once
            """,
        subcommands: [UserCreate.self, UserList.self, UserDisable.self, UserPasswd.self])
}

/// Reads a password: from stdin's first line, or from the terminal without echo, asked twice.
func readPassword(fromStdin: Bool) throws -> String {
    if fromStdin {
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no password on standard input") }
        return line
    }
    guard isatty(STDIN_FILENO) == 1 else {
        throw CLIError("standard input is not a terminal: pass --password-stdin and send the password on standard input")
    }
    func ask(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no password given") }
        return line
    }
    let first = try ask("Password (at least 10 characters): ")
    let second = try ask("Again: ")
    guard first == second else { throw CLIError("the two passwords differ; nothing changed") }
    return first
}

struct UserCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a console user.",
        discussion: """
            The password is asked twice without echo (or read with --password-stdin): 10 characters at least. Examples:
              nadi user create --name ops-plg --region 16.71 --role operator
              echo "$PASSWORD" | nadi user create --name dinas-pendidikan --region 16.71 --role viewer --password-stdin
            """)

    @Option(help: "The login name (letters, digits, . _ @ -).") var name: String
    @Option(help: "The region code the user sees, e.g. 16.71 (default: all of Indonesia) (a Kemendagri code such as 16 or 16.71.05).")
    var region: RegionCode?
    @Option(help: "viewer, operator or admin.") var role: String = "viewer"
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard ConsoleRole(rawValue: role) != nil else { throw ValidationError("--role must be one of \(ConsoleRole.allowedValues)") }
        if let problem = ConsoleCredentialRules.nameProblem(name) { throw ValidationError("--name: \(problem)") }
    }

    func run() async throws {
        let password = try readPassword(fromStdin: passwordStdin)
        if let problem = ConsoleCredentialRules.passwordProblem(password) { throw CLIError("not created: \(problem)") }
        let role = ConsoleRole(rawValue: role) ?? .viewer
        do {
            let user = try await database.withClient { client in
                try await ConsoleUserStore(client: client, logger: CLILogger.make()).create(
                    name: name, region: region, role: role, password: password)
            }
            print(
                "user '\(user.name)' created: \(user.role.rawValue) of \(user.region?.rawValue ?? "all of Indonesia"); they log in at nadid's /"
            )
        } catch let error as ConsoleUserError {
            throw CLIError("not created: \(error)")
        }
    }
}

struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List console users (never their passwords).",
        discussion: "Each user's region, role, when they were created and whether they are disabled. Example: nadi user list --format csv")
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let users = try await database.withClient { client in try await ConsoleUserStore(client: client, logger: CLILogger.make()).list() }
        let iso = ISO8601DateFormatter()
        switch format {
        case .json:
            let rows = users.map { user in
                [
                    "name": user.name, "region": user.region?.rawValue ?? "", "role": user.role.rawValue,
                    "created": iso.string(from: user.createdAt), "disabled": user.disabledAt.map { iso.string(from: $0) } ?? "",
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .csv:
            print(
                CSVText.render(
                    header: ["name", "region", "role", "created", "disabled"],
                    rows: users.map {
                        [
                            $0.name, $0.region?.rawValue ?? "", $0.role.rawValue, iso.string(from: $0.createdAt),
                            $0.disabledAt.map { iso.string(from: $0) } ?? "",
                        ]
                    }), terminator: "")
        case .table:
            guard !users.isEmpty else {
                print("no console users yet; create one: nadi user create --name NAME --region CODE --role viewer|operator|admin")
                return
            }
            print(
                TextTable.render(
                    header: ["NAME", "REGION", "ROLE", "CREATED", "STATE"],
                    rows: users.map {
                        [
                            $0.name, $0.region?.rawValue ?? "ID", $0.role.rawValue, String(iso.string(from: $0.createdAt).prefix(10)),
                            $0.disabledAt == nil ? "enabled" : "disabled",
                        ]
                    }))
        }
    }
}

struct UserDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable a user: they cannot log in, and their open sessions end now.",
        discussion: "Example: nadi user disable ops-plg")
    @Argument(help: "The user's name.") var name: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let done = try await database.withClient { client in
            try await ConsoleUserStore(client: client, logger: CLILogger.make()).disable(name: name)
        }
        guard done else { throw CLIError("no user named '\(name)' (see nadi user list)") }
        print("user '\(name)' disabled; their sessions have ended")
    }
}

struct UserPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Set a user's password (their open sessions end).",
        discussion: "Example: nadi user passwd ops-plg (asked twice without echo)")
    @Argument(help: "The user's name.") var name: String
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let password = try readPassword(fromStdin: passwordStdin)
        do {
            let done = try await database.withClient { client in
                try await ConsoleUserStore(client: client, logger: CLILogger.make()).setPassword(name: name, password: password)
            }
            guard done else { throw CLIError("no user named '\(name)' (see nadi user list)") }
            print("password of '\(name)' changed; their sessions have ended")
        } catch let error as ConsoleUserError {
            throw CLIError("not changed: \(error)")
        }
    }
}
