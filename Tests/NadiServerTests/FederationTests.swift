import Foundation
import NadiBench
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import Testing

/// A national view by logical replication (DESIGN "Scale beyond one machine"), through the built
/// binaries on three PostgreSQL clusters of their own: Kota Palembang (16.71) and Kabupaten Ogan
/// Komering Ulu (16.01) each run a Nadi and publish; Sumatera Selatan (16) subscribes to both.
@Suite("A national view by logical replication", .serialized)
struct FederationTests {
    /// One regency's Nadi: its sites, devices (the same external id "CCTV-0001" in both, which
    /// origin-qualified keys allow), targets and a day of pings.
    struct Regency: Sendable {
        let name: String
        let region: String
        let sites: String
        let devices: String
        let targets: String
        /// Devices pinged, with the minutes of the day (of 600) they are down.
        let pinged: [(device: String, downEvery: Int)]
    }

    static let consolePassword = "kata-sandi-provinsi-1"

    static let palembang = Regency(
        name: "plg", region: "16.71",
        sites: """
            [{"code":"10603845","kind":"school","name":"SMA NEGERI 1 PALEMBANG","region":"16.71.01","lat":-2.98,"lon":104.75,"attributes":{"level":"SMA"}},
             {"code":"10603900","kind":"school","name":"SMP NEGERI 9 PALEMBANG","region":"16.71.02","lat":-2.99,"lon":104.76,"attributes":{"level":"SMP"}}]
            """,
        devices: """
            [{"id":"CCTV-0001","kind":"cctv","region":"16.71.01","site":"10603845","name":"Gerbang SMAN 1","installed":"2024-01-01",
              "attributes":{"public":true,"stream_url":"rtsp://stream.palembang.go.id/sman1"}},
             {"id":"PLG-FO-1","kind":"fiber_link","region":"16.71.02","name":"Ring A","installed":"2024-01-01",
              "attributes":{"length_km":12.5,"a_end":"POP A","z_end":"POP B"}},
             {"id":"PLG-VT-1","kind":"videotron","region":"16.71.02","name":"Videotron Ampera","installed":"2024-01-01","attributes":{"size_m2":40}}]
            """,
        targets: "region,kind,metric,year,value\n16.71,cctv,units,YEAR,4\n16.71,fiber_link,km,YEAR,50\n16.71,cctv,schools_pct,YEAR,100\n",
        pinged: [("CCTV-0001", 9), ("PLG-FO-1", 31), ("PLG-VT-1", 1000)])

    static let ogan = Regency(
        name: "oku", region: "16.01",
        sites: """
            [{"code":"16010001","kind":"school","name":"SD NEGERI 1 BATURAJA","region":"16.01.07","lat":-4.13,"lon":104.17,"attributes":{"level":"SD"}}]
            """,
        devices: """
            [{"id":"CCTV-0001","kind":"cctv","region":"16.01.07","site":"16010001","name":"CCTV SD 1 Baturaja","installed":"2024-02-01",
              "attributes":{"public":true,"stream_url":"rtsp://cctv.okukab.go.id/sd1"}},
             {"id":"OKU-VT-1","kind":"videotron","region":"16.01.07","name":"Videotron Baturaja","installed":"2024-01-01","attributes":{"size_m2":32}}]
            """,
        targets: "region,kind,metric,year,value\n16.01,cctv,units,YEAR,2\n16.01,videotron,units,YEAR,1\n",
        pinged: [("CCTV-0001", 4), ("OKU-VT-1", 13)])

    @Test(
        "Palembang and OKU publish, Sumatera Selatan subscribes: the province's coverage, uptime and school export equal the regencies', an inventory change arrives within seconds, and mirrored regions refuse ingest"
    )
    func provinceMirrorsRegencies() async throws {
        try await ReplicatedClusters.with { clusters in
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let day = Date().addingTimeInterval(-2 * 86_400)
            let pastDay = String(Timestamp.format(day).prefix(10))
            let morning = Date(timeIntervalSince1970: (day.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 3600)
            var sources: [(Regency, EmbeddedPostgres, String)] = []
            for regency in [Self.palembang, Self.ogan] {
                let cluster = try await clusters.setUpPrimary(regency.name, restartWith: ["wal_level = logical"])
                let url = NadiCLI.databaseText(cluster.url)
                try await Self.load(regency, into: cluster, year: year, morning: morning)
                let published = try await NadiCLI.run(["federation", "publish", "--region", regency.region], url: url)
                #expect(published.status == 0, "\(published.output)")
                #expect(published.output.contains("moved \(regency.pinged.count) devices"), "\(published.output)")
                sources.append((regency, cluster, url))
            }
            let province = try await clusters.setUpPrimary("sumsel")
            let provinceURL = NadiCLI.databaseText(province.url)
            for (regency, _, url) in sources {
                let subscribed = try await NadiCLI.run(
                    ["federation", "subscribe", "--name", regency.name, "--from", url, "--wait", "60"], url: provinceURL,
                    timeout: .seconds(90))
                #expect(subscribed.status == 0, "\(subscribed.output)")
                #expect(subscribed.output.contains("9/9 tables copied"), "\(subscribed.output)")
            }
            let status = try await NadiCLI.run(["federation", "status", "--format", "json"], url: provinceURL)
            let sourcesJSON =
                (try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])?["sources"] as? [[String: Any]]
            #expect(sourcesJSON?.map { $0["name"] as? String } == ["oku", "plg"], "\(status.output)")
            #expect(
                sourcesJSON?.allSatisfy { $0["streaming"] as? Bool == true && $0["apply_errors"] as? Int == 0 } == true, "\(status.output)")

            // Each regency's own numbers, and the province's view of it, agree exactly.
            for (regency, _, url) in sources {
                for command in [
                    ["coverage", "--region", regency.region, "--format", "json"],
                    ["uptime", "--region", regency.region, "--from", pastDay, "--to", pastDay, "--format", "json"],
                    ["uptime", "--by", "region", "--region", regency.region, "--from", pastDay, "--to", pastDay, "--format", "json"],
                    ["export", "school-cctv", "--region", regency.region],
                ] {
                    let there = try await NadiCLI.run(command, url: url)
                    let here = try await NadiCLI.run(command, url: provinceURL)
                    #expect(there.status == 0 && here.status == 0, "\(command): \(there.output) / \(here.output)")
                    // Every figure agrees; who last changed a school's cameras is in the audit trail of
                    // the instance where the change was made, which a mirror does not copy.
                    #expect(
                        Self.withoutAuditColumns(here.output) == Self.withoutAuditColumns(there.output),
                        "\(command) differs between \(regency.name) and the province")
                    if command.first == "export" {
                        #expect(there.output.contains(",token:"), "the regency names who changed its schools' cameras")
                    }
                }
            }
            // The province's own rows are the regencies' sums.
            let provinceCoverage = try await Self.json(["coverage", "--region", "16", "--format", "json"], provinceURL)
            let provinceUptime = try await Self.jsonArray(
                [
                    "uptime", "--by", "region", "--region", "16", "--depth", "province", "--from", pastDay, "--to", pastDay, "--format",
                    "json",
                ],
                provinceURL)
            var installed: [String: Int] = [:]
            var known = 0.0
            var operational = 0.0
            for (_, _, url) in sources {
                for row in try await Self.json(["coverage", "--region", "16", "--format", "json"], url)["rows"] as? [[String: Any]] ?? []
                where row["region"] as? String == "16" {
                    installed["\(row["kind"] ?? "")/\(row["metric"] ?? "")", default: 0] += row["installed"] as? Int ?? 0
                }
                let uptime = try await Self.jsonArray(
                    [
                        "uptime", "--by", "region", "--region", "16", "--depth", "province", "--from", pastDay, "--to", pastDay, "--format",
                        "json",
                    ], url)
                known += uptime.first?["known_s"] as? Double ?? 0
                operational += uptime.first?["operational_s"] as? Double ?? 0
            }
            var provinceInstalled: [String: Int] = [:]
            for row in provinceCoverage["rows"] as? [[String: Any]] ?? [] where row["region"] as? String == "16" {
                provinceInstalled["\(row["kind"] ?? "")/\(row["metric"] ?? "")"] = row["installed"] as? Int ?? 0
            }
            #expect(provinceInstalled == installed && installed["cctv/units"] == 2, "\(provinceInstalled) vs \(installed)")
            let provinceRow = provinceUptime.first
            #expect(known > 0 && abs((provinceRow?["known_s"] as? Double ?? 0) - known) < 1e-6, "\(provinceUptime)")
            #expect(abs((provinceRow?["operational_s"] as? Double ?? 0) - operational) < 1e-6, "\(provinceUptime)")

            // An inventory change in a regency reaches the province within seconds.
            let (palembang, plgCluster, _) = sources[0]
            let token = try await Self.token(plgCluster)
            let daemon = try await LiveDaemon.start(on: plgCluster.url, token: token)
            let added = await daemon.post(
                "v1/inventory",
                #"[{"id":"PLG-CCTV-2","kind":"cctv","region":"16.71.03","name":"Simpang Polda","installed":"2024-05-01","attributes":{"public":false,"stream_url":"rtsp://10.1.2.9/main"}}]"#
            )
            #expect(added.status == 200, "\(added.body)")
            let started = ContinuousClock.now
            var arrived: Duration?
            while ContinuousClock.now - started < .seconds(30) {
                let listed = try await NadiCLI.run(
                    ["devices", "list", "--region", palembang.region, "--format", "json"], url: provinceURL)
                if listed.output.contains("PLG-CCTV-2") {
                    arrived = ContinuousClock.now - started
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            await daemon.stop()
            print(
                "federation: a device added in Kota Palembang was on Sumatera Selatan's database after \(arrived.map { "\($0)" } ?? "more than 30 s")"
            )
            #expect(arrived.map { $0 < .seconds(10) } == true)

            // The province refuses pings and inventory for the regions it only mirrors.
            let provinceToken = try await Self.token(province)
            let provinceDaemon = try await LiveDaemon.start(on: province.url, token: provinceToken, extra: ["--public-schools"])
            // The province's nadid serves the mirrored regions as its own: the API and the public school pages.
            let coverage = await provinceDaemon.get("/v1/coverage?region=16")
            #expect(
                coverage.status == 200 && coverage.body.contains(#""16.71""#) && coverage.body.contains(#""16.01""#), "\(coverage.body)")
            for (npsn, school) in [("10603845", "SMA NEGERI 1 PALEMBANG"), ("16010001", "SD NEGERI 1 BATURAJA")] {
                let page = await provinceDaemon.get("/sekolah/\(npsn)")
                #expect(page.status == 200 && page.body.contains(school), "/sekolah/\(npsn): \(page.status)")
            }
            let pings = await provinceDaemon.post("v1/pings", "[\(Fixtures.ping("PLG-FO-1", Date().addingTimeInterval(-5)))]")
            #expect(
                pings.status == 200 && pings.body.contains(#""index":0"#) && pings.body.contains("mirrored from federation source 'plg'"),
                "\(pings.body)")
            let inventory = await provinceDaemon.post(
                "v1/inventory",
                #"[{"id":"PROV-VT-9","kind":"videotron","region":"16.01.07","name":"Titipan","installed":"2024-01-01","attributes":{"size_m2":9}}]"#
            )
            #expect(inventory.body.contains("mirrored from federation source 'oku'"), "\(inventory.body)")
            // The console of a province user shows both regencies.
            _ = try await TestClient.with(province.url) { client in
                try await ConsoleUserStore(client: client, logger: TestCluster.quietLogger).create(
                    name: "bappeda-sumsel", region: RegionCode("16"), role: .viewer, password: Self.consolePassword)
            }
            let cookie = try await ConsoleLogin.session(
                host: "127.0.0.1", port: provinceDaemon.port, name: "bappeda-sumsel", password: Self.consolePassword)
            let pages: [(String, [String])] = [
                ("/devices", ["Gerbang SMAN 1", "CCTV SD 1 Baturaja"]),
                ("/schools.csv", ["SMA NEGERI 1 PALEMBANG", "SD NEGERI 1 BATURAJA"]),
                ("/coverage", ["Kota Palembang", "Kabupaten Ogan Komering Ulu"]),
            ]
            for (page, expected) in pages {
                let answer = try await HTTPConnection.with(host: "127.0.0.1", port: provinceDaemon.port) { http in
                    try await http.get(page, headers: [("Cookie", cookie)])
                }
                #expect(answer.status == 200 && expected.allSatisfy { answer.text.contains($0) }, "console \(page): \(answer.status)")
            }
            // One external id in two origins: a token of either regency's region gets that regency's device.
            let okuReader = try await Self.token(province, region: "16.01")
            let okuDaemon = try await LiveDaemon.start(on: province.url, token: okuReader)
            let shared = await okuDaemon.get("/v1/devices/CCTV-0001")
            #expect(shared.status == 200 && shared.body.contains(#""region":"16.01.07""#), "\(shared.body)")
            await okuDaemon.stop()
            let plgShared = await provinceDaemon.get("/v1/devices/PLG-FO-1")
            #expect(plgShared.status == 200 && plgShared.body.contains(#""region":"16.71.02""#), "\(plgShared.body)")
            await provinceDaemon.stop()

            // Unsubscribing removes the mirror; the other source stays.
            let removed = try await NadiCLI.run(["federation", "unsubscribe", "--name", "oku"], url: provinceURL)
            #expect(removed.status == 0 && removed.output.contains("2 mirrored devices removed"), "\(removed.output)")
            let after = try await Self.json(["coverage", "--region", "16", "--format", "json"], provinceURL)
            let cctv = (after["rows"] as? [[String: Any]] ?? []).first {
                $0["region"] as? String == "16" && $0["kind"] as? String == "cctv"
            }
            #expect(cctv?["installed"] as? Int == 2, "Palembang's two cameras remain: \(after)")
        }
    }

    /// Loads `regency` into its database through its own nadid (sites, devices, a day of pings)
    /// and `nadi targets import`, then stops the nadid (publishing moves its ids).
    static func load(_ regency: Regency, into cluster: EmbeddedPostgres, year: Int, morning: Date) async throws {
        let url = NadiCLI.databaseText(cluster.url)
        let daemon = try await LiveDaemon.start(on: cluster.url, token: try await token(cluster))
        let sites = await daemon.post("v1/sites", regency.sites)
        #expect(sites.status == 200 && sites.body.contains(#""rejected":[]"#), "\(sites.body)")
        let devices = await daemon.post("v1/inventory", regency.devices)
        #expect(devices.status == 200 && devices.body.contains(#""rejected":[]"#), "\(devices.body)")
        var pings: [String] = []
        for minute in 0..<600 {
            let at = morning.addingTimeInterval(TimeInterval(minute * 60))
            for (device, downEvery) in regency.pinged { pings.append(Fixtures.ping(device, at, minute % downEvery == 0 ? "down" : "up")) }
        }
        let sent = await daemon.post("v1/pings", "[\(pings.joined(separator: ","))]")
        #expect(sent.status == 200 && sent.body.contains(#""rejected":[]"#), "\(sent.body)")
        // Publishing would renumber under a running nadid: refused, nothing changed.
        let refused = try await NadiCLI.run(["federation", "publish", "--region", regency.region], url: url)
        #expect(refused.status == 1 && refused.output.contains("stop it first"), "\(refused.output)")
        await daemon.stop()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "targets-\(regency.name)-\(UUID().uuidString.prefix(6)).csv")
        try regency.targets.replacingOccurrences(of: "YEAR", with: "\(year)").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let targets = try await NadiCLI.run(["targets", "import", file.path], url: url)
        #expect(targets.status == 0, "\(targets.output)")
    }

    static func token(_ cluster: EmbeddedPostgres, region: String? = nil) async throws -> String {
        try await TestClient.with(cluster.url) { client in
            try await TokenStore(client: client, logger: TestCluster.quietLogger).create(
                name: "fed-\(UUID().uuidString.prefix(6))", region: region.flatMap(RegionCode.init), scopes: [.ingest, .inventory, .read]
            ).1
        }
    }

    static func json(_ arguments: [String], _ url: String) async throws -> [String: Any] {
        let run = try await NadiCLI.run(arguments, url: url)
        return (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? ["output": run.output]
    }

    static func jsonArray(_ arguments: [String], _ url: String) async throws -> [[String: Any]] {
        let run = try await NadiCLI.run(arguments, url: url)
        return (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]]) ?? []
    }

    /// A school export without `cameras_changed_at` and `cameras_changed_by` (the last two columns);
    /// other output as it is.
    static func withoutAuditColumns(_ output: String) -> String {
        guard output.contains("cameras_changed_at,cameras_changed_by") else { return output }
        // CSV lines end in CRLF, one Character in Swift: split on any newline.
        return output.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).dropLast(2).joined(separator: ",")
        }.joined(separator: "\n")
    }
}
