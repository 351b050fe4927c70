import Logging
package import NadiCore
import PostgresNIO

/// The regions this database mirrors from federation sources (none unless it subscribed): their
/// devices, sites and history are written by replication only.
package struct FederationMirrors: Sendable {
    /// One mirrored region and the source it comes from.
    package struct Mirror: Sendable, Equatable {
        package var name: String
        package var region: RegionCode

        /// What a refused write of a record in `region` is told.
        package func refusal(_ region: RegionCode) -> String {
            "region \(region) is mirrored from federation source '\(name)' (\(self.region)); this database only mirrors it: send the record to that Nadi"
        }
    }

    package var mirrors: [Mirror]

    /// The mirror `region` lies in, if any.
    package func source(of region: RegionCode) -> Mirror? {
        mirrors.first { region.isWithin($0.region) }
    }

    static func load(on connection: PostgresConnection, logger: Logger) async throws -> FederationMirrors {
        var mirrors: [Mirror] = []
        for try await (name, region) in try await connection.query(
            "SELECT name, region::text FROM federation_mirror ORDER BY name", logger: logger
        ).decode((String, String).self) {
            if let region = RegionCode(region) { mirrors.append(Mirror(name: name, region: region)) }
        }
        return FederationMirrors(mirrors: mirrors)
    }
}
