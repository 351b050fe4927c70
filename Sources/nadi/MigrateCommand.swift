import ArgumentParser
import NadiStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (SQL/*.sql), each in its own transaction.",
        discussion: "Safe to run twice or from several places at once (an advisory lock serialises runs). nadid migrates on start too.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (applied, guarded) = try await database.withClient(schema: .asIs) { client in
            let applied = try await Migrator(client: client, logger: CLILogger.make()).migrate(
                Migration.load(from: ResourceLocator.sqlDirectory()))
            return (applied, try await AuditStore(client: client, logger: CLILogger.make()).guardInstalled())
        }
        if applied.isEmpty {
            print("database is up to date")
        } else {
            for migration in applied { print("applied \(migration.name)") }
        }
        if !guarded { print(AuditStore.guardMissing) }
    }
}
