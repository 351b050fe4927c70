package import NadiCore

/// A device as the ingest path needs it, cached by external id.
package struct DeviceInfo: Sendable, Equatable {
    package var id: Int64
    package var externalID: String
    package var kind: DeviceKind
    package var region: RegionCode
    package var intervalSeconds: Int
    /// The federation source this device is mirrored from (a subscriber writes none of its pings).
    package var mirroredFrom: String? = nil

    package init(
        id: Int64, externalID: String, kind: DeviceKind, region: RegionCode, intervalSeconds: Int, mirroredFrom: String? = nil
    ) {
        self.id = id
        self.externalID = externalID
        self.kind = kind
        self.region = region
        self.intervalSeconds = intervalSeconds
        self.mirroredFrom = mirroredFrom
    }
}
