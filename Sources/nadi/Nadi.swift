import ArgumentParser
import NadiStore
import PostgresNIO

/// `nadi`: the companion CLI of the Nadi daemon.
@main
struct Nadi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nadi",
        abstract: "Inventory, masterplan targets and reports for a smart-city rollout.",
        discussion: """
            Every command reads the database from --database-url or NADI_DATABASE_URL (a URI as psql takes it); \
            with neither, it uses the embedded cluster under --state-dir (default ./nadi-data), starting it if \
            needed and stopping it again afterwards if it was not running.

            Getting started:
              nadi migrate
              nadi regions import --builtin
              nadi targets import targets.csv
              nadi token create --name agents-palembang --region 16.71 --scope ingest,inventory
              nadi devices list --silent
            """,
        subcommands: [
            Migrate.self, Regions.self, Sites.self, Devices.self, Targets.self, Token.self, Maintenance.self, Incidents.self, Notify.self,
            User.self, Federation.self, Audit.self, Coverage.self, Report.self,
            Uptime.self,
            Export.self,
            Bench.self,
        ])

    /// Runs the command; database errors are said with their SQLSTATE and message rather than
    /// postgres-nio's deliberately vague description.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PSQLError where PostgresErrorText.code(error) == .readOnlySqlTransaction {
            // Reports work on a hot standby; this command writes.
            exit(
                withError: CLIError(
                    """
                    this command writes, and the database is a read-only standby (or default_transaction_read_only is on): \
                    \(PostgresErrorText.describe(error))
                    hint: point --database-url (or NADI_DATABASE_URL) at the primary, or list every server with \
                    target_session_attrs=read-write, e.g. postgres://nadi@db1,db2/nadi?target_session_attrs=read-write
                    """))
        } catch let error as PSQLError {
            exit(withError: CLIError("database error: \(PostgresErrorText.describe(error))"))
        } catch {
            exit(withError: error)
        }
    }
}
