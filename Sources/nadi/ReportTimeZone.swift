import ArgumentParser
import Foundation

/// `--time-zone`, shared by every report: dates in reports are days of the deployment's time zone.
struct ReportTimeZone: ParsableArguments {
    @Option(help: "Time zone of the deployment, for report dates (Asia/Jakarta WIB, Asia/Makassar WITA, Asia/Jayapura WIT).")
    var timeZone = "Asia/Jakarta"

    func validate() throws {
        guard TimeZone(identifier: timeZone) != nil else {
            throw ValidationError("unknown --time-zone '\(timeZone)' (try Asia/Jakarta, Asia/Makassar, Asia/Jayapura)")
        }
    }

    /// The zone (validated: never the fallback in practice).
    var zone: TimeZone { TimeZone(identifier: timeZone) ?? .gmt }
}
