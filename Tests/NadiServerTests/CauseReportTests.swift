import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiServer
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// `nadi uptime` with causes, end to end (issue 14): a fiber cut under three cameras, one of them
/// already down on its own, maintenance on the link, and the link's pings arriving after the
/// cameras'. Expected seconds are computed by hand from the minutes below.
@Suite("Uptime split by cause")
struct CauseReportTests {
    struct Row: Decodable {
        var device: String
        var operational_s: Double
        var down_own_s: Double
        var down_upstream_s: Double
        var maintenance_s: Double
        var sla_pct: Double?
    }

    struct RegionRow: Decodable {
        var region: String
        var devices: Int
        var operational_s: Double
        var down_own_s: Double
        var down_upstream_s: Double
        var maintenance_s: Double
    }

    @Test("fiber cut 120–180 min, camera C1 down 90–210, maintenance on the link 150–240, link pings sent last")
    func fiberCut() async throws {
        try await NadiTestApp.run { app, http, db in
            let link =
                #"{"id":"FO-1","kind":"fiber_link","region":"16.71.01","name":"Link","installed":"2024-01-01","attributes":{"length_km":2,"a_end":"A","z_end":"B"}}"#
            let cameras = (1...3).map {
                #"{"id":"C\#($0)","kind":"videotron","region":"16.71.01","name":"C\#($0)","installed":"2024-01-01","upstream":"FO-1","attributes":{"size_m2":1}}"#
            }
            #expect(
                try Outcome(try await http.post("/v1/inventory", token: app.admin, json: "[\(([link] + cameras).joined(separator: ","))]"))
                    .accepted == 4)
            // The topology was registered before the outage (links apply from when they are made).
            _ = try await db.query("UPDATE device_link SET valid_from = valid_from - interval '6 hours'")
            let now = Date()
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 4 * 3600)
            let minutes = Int(now.timeIntervalSince(start) / 60)
            func pings(_ device: String, down: Range<Int>) -> String {
                (0...minutes).map { minute in
                    Fixtures.ping(device, start.addingTimeInterval(Double(minute) * 60), down.contains(minute) ? "down" : "up")
                }.joined(separator: ",")
            }
            for (device, down) in [("C1", 90..<210), ("C2", 120..<180), ("C3", 120..<180), ("FO-1", 120..<180)] {
                let outcome = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(pings(device, down: down))]"))
                #expect(outcome.rejected.isEmpty, "\(outcome.rejected.prefix(2))")
            }
            let window =
                #"{"device":"FO-1","from":"\#(Timestamp.format(start.addingTimeInterval(150 * 60)))","to":"\#(Timestamp.format(start.addingTimeInterval(240 * 60)))","reason":"Penyambungan"}"#
            #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)

            let cli = try await NadiCLI.run(
                ["uptime", "--since", "5h", "--format", "json"], url: NadiCLI.databaseText(app.url))
            try #require(cli.status == 0, "\(cli.output)")
            let rows = try JSONDecoder().decode([Row].self, from: Data(Self.report(cli.output).utf8))
            let byDevice = Dictionary(uniqueKeysWithValues: rows.map { ($0.device, $0) })
            func mins(_ seconds: Double?) -> Int { Int(((seconds ?? -1) / 60).rounded()) }
            let fo = try #require(byDevice["FO-1"])
            #expect([mins(fo.down_own_s), mins(fo.down_upstream_s), mins(fo.maintenance_s)] as [Int] == [30, 0, 30] as [Int])
            let c1 = try #require(byDevice["C1"])
            #expect([mins(c1.down_own_s), mins(c1.down_upstream_s), mins(c1.maintenance_s)] as [Int] == [60, 30, 30] as [Int])
            for name in ["C2", "C3"] {
                let camera = try #require(byDevice[name])
                #expect(
                    [mins(camera.down_own_s), mins(camera.down_upstream_s), mins(camera.maintenance_s)] as [Int] == [0, 30, 30] as [Int])
                #expect(camera.sla_pct == 100, "a camera behind the cut is not charged for it")
            }
            let region = try await NadiCLI.run(
                ["uptime", "--since", "5h", "--by", "region", "--region", "16.71", "--format", "csv"],
                url: NadiCLI.databaseText(app.url))
            #expect(region.output.contains("down_own_s,down_upstream_s,maintenance_s,sla_pct"), "\(region.output)")
            // The region row is summed in SQL with the splits of the linked devices added after:
            // it must equal the sum of the four device rows (30 + 60 own, 3 × 30 upstream, 4 × 30 planned).
            let regionJSON = try await NadiCLI.run(
                ["uptime", "--since", "5h", "--by", "region", "--region", "16.71", "--depth", "district", "--format", "json"],
                url: NadiCLI.databaseText(app.url))
            try #require(regionJSON.status == 0, "\(regionJSON.output)")
            let districts = try JSONDecoder().decode([RegionRow].self, from: Data(Self.report(regionJSON.output).utf8))
            let district = try #require(districts.first { $0.region == "16.71.01" }, "\(regionJSON.output)")
            #expect(district.devices == 4)
            #expect(
                [mins(district.down_own_s), mins(district.down_upstream_s), mins(district.maintenance_s)] as [Int] == [90, 90, 120] as [Int]
            )
            for (total, parts) in [
                (district.down_own_s, rows.map(\.down_own_s)), (district.down_upstream_s, rows.map(\.down_upstream_s)),
                (district.maintenance_s, rows.map(\.maintenance_s)),
            ] {
                #expect(abs(total - parts.reduce(0, +)) < 1e-6, "region total \(total) against devices \(parts)")
            }
            // Operational time grows with the clock, and each run's window ends at its own now.
            #expect(abs(district.operational_s - rows.map(\.operational_s).reduce(0, +)) < 4 * 10, "four devices, runs seconds apart")
        }
    }

    @Test(
        "planned work two links up behind a healthy switch, and a region window for cameras: only the overlaps are split, as by hand"
    )
    func twoLevelsAndRegionWindow() async throws {
        try await NadiTestApp.run { app, http, db in
            func fiber(_ id: String, upstream: String?) -> String {
                let link = upstream.map { #","upstream":"\#($0)""# } ?? ""
                return
                    #"{"id":"\#(id)","kind":"fiber_link","region":"16.71.01","name":"\#(id)","installed":"2024-01-01"\#(link),"attributes":{"length_km":2,"a_end":"A","z_end":"B"}}"#
            }
            func camera(_ id: String, region: String, upstream: String?) -> String {
                let link = upstream.map { #","upstream":"\#($0)""# } ?? ""
                return
                    #"{"id":"\#(id)","kind":"cctv","region":"\#(region)","name":"\#(id)","installed":"2024-01-01"\#(link),"attributes":{"stream_url":"rtsp://10.0.0.1/main"}}"#
            }
            let inventory = [
                fiber("FO-B", upstream: nil), fiber("FO-S", upstream: "FO-B"), camera("CAM-1", region: "16.71.01", upstream: "FO-S"),
                camera("CAM-2", region: "16.71.02", upstream: nil),
                #"{"id":"VT-1","kind":"videotron","region":"16.71.02","name":"VT-1","installed":"2024-01-01","attributes":{"size_m2":1}}"#,
            ]
            #expect(
                try Outcome(try await http.post("/v1/inventory", token: app.admin, json: "[\(inventory.joined(separator: ","))]")).accepted
                    == 5)
            _ = try await db.query("UPDATE device_link SET valid_from = valid_from - interval '6 hours'")
            let now = Date()
            let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 4 * 3600)
            let minutes = Int(now.timeIntervalSince(start) / 60)
            func at(_ minute: Int) -> String { Timestamp.format(start.addingTimeInterval(Double(minute) * 60)) }
            // The backbone FO-B is down 60–150 and under planned work 90–180; the switch FO-S
            // between it and CAM-1 stays up. CAM-1 is down 30–120: 30–90 its own (an ancestor
            // down is no cause while the link under it is up, unless the ancestor is being
            // worked on), 90–120 planned. CAM-2 and VT-1 in 16.71.02 are down 100–200 under a
            // window for that kelurahan's cameras, 120–160: CAM-2 60 own and 40 planned; the
            // window is not for videotrons, so VT-1's 100 minutes are its own.
            for (device, down) in [("CAM-1", 30..<120), ("CAM-2", 100..<200), ("VT-1", 100..<200), ("FO-S", 0..<0), ("FO-B", 60..<150)] {
                let pings = (0...minutes).map { minute in
                    Fixtures.ping(device, start.addingTimeInterval(Double(minute) * 60), down.contains(minute) ? "down" : "up")
                }
                let outcome = try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(pings.joined(separator: ","))]"))
                #expect(outcome.rejected.isEmpty, "\(outcome.rejected.prefix(2))")
            }
            for window in [
                #"{"device":"FO-B","from":"\#(at(90))","to":"\#(at(180))","reason":"Penyambungan"}"#,
                #"{"region":"16.71.02","kind":"cctv","from":"\#(at(120))","to":"\#(at(160))","reason":"Ganti NVR"}"#,
            ] {
                #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)
            }
            func mins(_ seconds: Double?) -> Int { Int(((seconds ?? -1) / 60).rounded()) }
            let expected: [String: [Int]] = [
                "CAM-1": [60, 0, 30], "CAM-2": [60, 0, 40], "VT-1": [100, 0, 0], "FO-S": [0, 0, 0], "FO-B": [30, 0, 60],
            ]
            let cli = try await NadiCLI.run(
                ["uptime", "--since", "5h", "--format", "json"], url: NadiCLI.databaseText(app.url))
            try #require(cli.status == 0, "\(cli.output)")
            let rows = try JSONDecoder().decode([Row].self, from: Data(Self.report(cli.output).utf8))
            for row in rows {
                #expect(
                    [mins(row.down_own_s), mins(row.down_upstream_s), mins(row.maintenance_s)] == expected[row.device], "\(row.device)")
            }
            #expect(rows.count == 5)
            // The district rows: 16.71.01 holds FO-B, FO-S and CAM-1; 16.71.02 CAM-2 and VT-1.
            let regionJSON = try await NadiCLI.run(
                ["uptime", "--since", "5h", "--by", "region", "--region", "16.71", "--depth", "district", "--format", "json"],
                url: NadiCLI.databaseText(app.url))
            try #require(regionJSON.status == 0, "\(regionJSON.output)")
            let districts = try JSONDecoder().decode([RegionRow].self, from: Data(Self.report(regionJSON.output).utf8))
            let split = Dictionary(
                uniqueKeysWithValues: districts.map {
                    ($0.region, [mins($0.down_own_s), mins($0.down_upstream_s), mins($0.maintenance_s)])
                })
            #expect(split["16.71.01"] == [90, 0, 90], "\(regionJSON.output)")
            #expect(split["16.71.02"] == [160, 0, 40], "\(regionJSON.output)")
        }
    }

    /// The report without the note on retroactive windows that `nadi uptime` writes to standard
    /// error (the test reads both streams together).
    static func report(_ output: String) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("note: ") && !$0.hasPrefix("  #") }.joined(separator: "\n")
    }
}

/// `nadi incidents` and the cause column of `nadi devices list` during a simulated cut.
@Suite("Open incidents")
struct IncidentTests {
    struct IncidentRow: Decodable {
        var root: String
        var cause: String
        var dependents_down: Int
    }

    struct DeviceRow: Decodable {
        var device: String
        var cause: String?
        var root: String?
    }

    @Test("a cut link with three cameras behind it is one incident of four devices; planned work on another link is a maintenance incident")
    func duringCut() async throws {
        try await NadiTestApp.run { app, http, db in
            func link(_ id: String) -> String {
                #"{"id":"\#(id)","kind":"fiber_link","region":"16.71.01","name":"\#(id)","installed":"2024-01-01","attributes":{"length_km":2,"a_end":"A","z_end":"B"}}"#
            }
            let cameras = (1...3).map {
                #"{"id":"C\#($0)","kind":"videotron","region":"16.71.01","name":"C\#($0)","installed":"2024-01-01","upstream":"FO-1","attributes":{"size_m2":1}}"#
            }
            let lonely =
                #"{"id":"C9","kind":"videotron","region":"16.71.02","name":"C9","installed":"2024-01-01","attributes":{"size_m2":1}}"#
            #expect(
                try Outcome(
                    try await http.post(
                        "/v1/inventory", token: app.admin,
                        json: "[\(([link("FO-1"), link("FO-2")] + cameras + [lonely]).joined(separator: ","))]")
                ).accepted == 6)
            _ = try await db.query("UPDATE device_link SET valid_from = valid_from - interval '1 hour'")
            let now = Date()
            var pings: [String] = []
            for device in ["FO-1", "FO-2", "C1", "C2", "C3", "C9"] {
                pings.append(Fixtures.ping(device, now.addingTimeInterval(-600), "up"))
                pings.append(Fixtures.ping(device, now.addingTimeInterval(-60), device == "C9" ? "up" : "down"))
            }
            #expect(
                try Outcome(try await http.post("/v1/pings", token: app.admin, json: "[\(pings.joined(separator: ","))]")).accepted == 12)
            let window =
                #"{"device":"FO-2","from":"\#(Timestamp.format(now.addingTimeInterval(-300)))","to":"\#(Timestamp.format(now.addingTimeInterval(3600)))","reason":"Ganti ODC"}"#
            #expect(try await http.post("/v1/maintenance", token: app.admin, json: window).status == .created)

            let incidents = try await NadiCLI.run(
                ["incidents", "--format", "json"], url: NadiCLI.databaseText(app.url))
            try #require(incidents.status == 0, "\(incidents.output)")
            let rows = try JSONDecoder().decode([IncidentRow].self, from: Data(incidents.output.utf8))
            #expect(rows.map(\.root) == ["FO-1", "FO-2"], "\(incidents.output)")
            #expect(rows.first?.dependents_down == 3)
            #expect(rows.first?.cause == "own")
            #expect(rows.last?.cause == "maintenance")
            let list = try await NadiCLI.run(
                ["devices", "list", "--format", "json"], url: NadiCLI.databaseText(app.url))
            let devices = Dictionary(
                uniqueKeysWithValues: try JSONDecoder().decode([DeviceRow].self, from: Data(list.output.utf8)).map { ($0.device, $0) })
            #expect(devices["C2"]?.cause == "upstream" && devices["C2"]?.root == "FO-1")
            #expect(devices["FO-1"]?.cause == "own")
            #expect(devices["C9"]?.cause == nil, "an operational device has no cause")
            let table = try await NadiCLI.run(["incidents"], url: NadiCLI.databaseText(app.url))
            #expect(table.output.contains("2 open incidents"), "\(table.output)")
        }
    }
}
