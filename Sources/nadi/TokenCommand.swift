import ArgumentParser
import Foundation
import NadiCore
import NadiReports
import NadiStore

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "API tokens for agents, devices and dashboards.", subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}

struct TokenCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print it once (only its hash is stored).",
        discussion: "Example: nadi token create --name agents-palembang --region 16.71 --scope ingest,inventory")

    @Option(help: "A name to recognise the token by.") var name: String
    @Option(help: "Region subtree the token may touch (default: all of Indonesia) (a Kemendagri code such as 16 or 16.71.05).") var region:
        RegionCode?
    @Option(help: "Comma-separated scopes: \(TokenScope.allowedValues).") var scope = "ingest"
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let problem = TokenStore.nameProblem(name) { throw ValidationError("--name: \(problem)") }
        for part in scope.split(separator: ",") where TokenScope(rawValue: part.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("unknown scope '\(part)'; expected \(TokenScope.allowedValues)")
        }
    }

    func run() async throws {
        let scopes = Set(scope.split(separator: ",").compactMap { TokenScope(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
        let name = self.name
        let region = self.region
        let (token, secret) = try await database.withClient { client in
            try await TokenStore(client: client, logger: CLILogger.make()).create(name: name, region: region, scopes: scopes)
        }
        print(secret)
        FileHandle.standardError.write(
            Data(
                "token '\(token.name)' (id \(token.id)), scopes \(token.scopes.map(\.rawValue).sorted().joined(separator: ",")), region \(token.region?.rawValue ?? "all"). Store it now: it is not shown again.\n"
                    .utf8))
    }
}

struct TokenList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tokens (no secrets).",
        discussion: "Each token's id, name, region, scopes, when it was created and whether it is revoked. Example: nadi token list")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let tokens = try await database.withClient { client in try await TokenStore(client: client, logger: CLILogger.make()).list() }
        let rows = tokens.map { token in
            [
                String(token.id), token.name, token.region?.rawValue ?? "all", token.scopes.map(\.rawValue).sorted().joined(separator: ","),
                Timestamp.format(token.createdAt).prefix(19).replacingOccurrences(of: "T", with: " "),
                token.revokedAt.map { "revoked " + Timestamp.format($0).prefix(10) } ?? "active",
            ]
        }
        print(TextTable.render(header: ["ID", "NAME", "REGION", "SCOPES", "CREATED (UTC)", "STATE"], rows: rows, rightAligned: [0]))
    }
}

struct TokenRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token by name or id; it stops working at once.",
        discussion: "Agents using it get 401 from then on. Examples: nadi token revoke agents-palembang, nadi token revoke 3")
    @Argument(help: "The token's id (a number, as `nadi token list` shows) or its name.") var token: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let token = self.token
        let revoked = try await database.withClient { client in try await TokenStore(client: client, logger: CLILogger.make()).revoke(token)
        }
        guard revoked else { throw CLIError("no active token named or numbered '\(token)'") }
        print("revoked \(token)")
    }
}
