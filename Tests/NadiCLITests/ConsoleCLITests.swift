import Foundation
import HTTPTypes
import HummingbirdTesting
import NadiCore
import NadiLauncher
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// `nadi user` and `nadi coverage --trajectory` through the built binary against a database given by URL.
@Suite("nadi user and nadi coverage --trajectory")
struct ConsoleCLITests {
    /// Runs `nadi` with `input` on standard input (through sh, as a person piping a password would).
    static func run(_ arguments: [String], input: String, url: DatabaseURL) async throws -> (status: Int32?, output: String) {
        let socket = url.endpoint.socketPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ""
        let databaseURL = "postgres://\(url.username)@/\(url.database ?? "")?host=\(socket)"
        let nadi = ChildProcess.productsDirectory.appendingPathComponent("nadi").path
        let quoted = (arguments + ["--database-url", databaseURL]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let inputFile = try NadiCLI.file(input)
        defer { try? FileManager.default.removeItem(atPath: inputFile) }
        let process = try SpawnedProcess(
            executable: "/bin/sh", arguments: ["-c", "'\(nadi)' \(quoted.joined(separator: " ")) < '\(inputFile)'"],
            environment: ["NO_COLOR": "1"])
        let status = await process.wait(timeout: .seconds(60))
        return (status, process.output)
    }

    @Test("create with --password-stdin, refusals with reasons, list without hashes, passwd, disable; the password works in the console")
    func users() async throws {
        try await NadiTestApp.run { app, http, db in
            let created = try await Self.run(
                ["user", "create", "--name", "ops-rina", "--region", "16.71", "--role", "operator", "--password-stdin"],
                input: "kata-sandi-panjang\n", url: app.url)
            #expect(created.status == 0, "\(created.output)")
            #expect(created.output.contains("user 'ops-rina' created: operator of 16.71"), "\(created.output)")
            for (arguments, input, reason) in [
                (["--name", "short", "--password-stdin"], "pendek\n", "at least 10 characters"),
                (["--name", "ops-rina", "--password-stdin"], "kata-sandi-panjang\n", "already exists"),
                (["--name", "x", "--region", "99.98", "--password-stdin"], "kata-sandi-panjang\n", "region 99.98 does not exist"),
                (
                    ["--name", "x", "--role", "root", "--password-stdin"], "kata-sandi-panjang\n",
                    "--role must be one of viewer, operator, admin"
                ),
                (["--name", "bad name", "--password-stdin"], "kata-sandi-panjang\n", "may hold only letters"),
                (["--name", "tty"], "", "standard input is not a terminal"),
            ] {
                let refused = try await Self.run(["user", "create"] + arguments, input: input, url: app.url)
                #expect(refused.status != 0 && refused.output.contains(reason), "\(arguments): \(refused.output)")
            }
            let listed = try await Self.run(["user", "list"], input: "", url: app.url)
            #expect(listed.status == 0 && listed.output.contains("ops-rina") && listed.output.contains("operator"), "\(listed.output)")
            #expect(!listed.output.contains("$2"), "no bcrypt hash in the list")
            var browser = ConsoleSessionClient()
            #expect(try await browser.login(http, name: "ops-rina", password: "kata-sandi-panjang").status == .seeOther)
            let changed = try await Self.run(
                ["user", "passwd", "ops-rina", "--password-stdin"], input: "sandi-baru-yang-panjang\n", url: app.url)
            #expect(changed.status == 0, "\(changed.output)")
            #expect(try await browser.get(http, "/").status == .seeOther, "a new password ends the old sessions")
            #expect(try await browser.login(http, name: "ops-rina", password: "kata-sandi-panjang").status == .unauthorized)
            #expect(try await browser.login(http, name: "ops-rina", password: "sandi-baru-yang-panjang").status == .seeOther)
            let disabled = try await Self.run(["user", "disable", "ops-rina"], input: "", url: app.url)
            #expect(disabled.status == 0 && disabled.output.contains("disabled"), "\(disabled.output)")
            #expect(try await browser.get(http, "/").status == .seeOther)
            let unknown = try await Self.run(["user", "disable", "nobody"], input: "", url: app.url)
            #expect(unknown.status != 0 && unknown.output.contains("no user named 'nobody'"), "\(unknown.output)")
        }
    }

    @Test("--trajectory: installed and operational at every month's end since the first installation, and the projection, as JSON and CSV")
    func trajectory() async throws {
        try await NadiTestApp.run { app, http, db in
            let devices = """
                [{"id":"T-CAM-1","kind":"cctv","region":"16.71.01","name":"Kamera 1","installed":"2025-01-15","attributes":{"public":false,"stream_url":"rtsp://a/1"}},
                 {"id":"T-CAM-2","kind":"cctv","region":"16.71.02","name":"Kamera 2","installed":"2025-06-01","attributes":{"public":false,"stream_url":"rtsp://a/2"}},
                 {"id":"T-CAM-3","kind":"cctv","region":"16.71.02","name":"Kamera 3","installed":"2026-03-10","attributes":{"public":false,"stream_url":"rtsp://a/3"}},
                 {"id":"T-CAM-4","kind":"cctv","region":"16.71.02","name":"Kamera 4","installed":"2025-02-01","decommissioned":"2025-09-20","attributes":{"public":false,"stream_url":"rtsp://a/4"}}]
                """
            #expect(try Outcome(try await http.post("/v1/inventory", token: app.admin, json: devices)).accepted == 4)
            _ = try await http.post(
                "/v1/pings", token: app.admin, json: "[\(Fixtures.ping("T-CAM-1", Date())),\(Fixtures.ping("T-CAM-2", Date()))]")
            try await ConsoleFixtures.waitForState("T-CAM-2", "up", db)
            _ = try await db.query("INSERT INTO target (region, kind, metric, year, value) VALUES ('16.71', 'cctv', 'units', 2030, 10)")
            let json = try await Self.run(
                ["coverage", "--region", "16.71", "--kind", "cctv", "--trajectory", "--format", "json"], input: "", url: app.url)
            #expect(json.status == 0, "\(json.output)")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
            let cctv = try #require(parsed.first)
            let points = try #require(cctv["points"] as? [[String: Any]])
            // Independently: month ends from 2025-01 to this month in WIB.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
            let now = calendar.dateComponents([.year, .month], from: Date())
            let months = ((now.year ?? 2026) - 2025) * 12 + (now.month ?? 12)
            #expect(points.count == months, "one point per month since 2025-01")
            func installed(_ year: Int, _ month: Int) -> Int {
                let index = year * 12 + month
                var count = 0
                if index >= 2025 * 12 + 1 { count += 1 }  // T-CAM-1 from 2025-01
                if index >= 2025 * 12 + 6 { count += 1 }  // T-CAM-2 from 2025-06
                if index >= 2026 * 12 + 3 { count += 1 }  // T-CAM-3 from 2026-03
                if index >= 2025 * 12 + 2, index < 2025 * 12 + 9 { count += 1 }  // T-CAM-4 2025-02 … 2025-08
                return count
            }
            for (offset, point) in points.enumerated() {
                let index = 2025 * 12 + offset
                let label = String(format: "%04d-%02d", index / 12, index % 12 + 1)
                #expect(point["month"] as? String == label)
                #expect(point["installed"] as? Int == installed(index / 12, index % 12 + 1), "\(label)")
                let isCurrent = offset == points.count - 1
                #expect(point["operational"] as? Int == (isCurrent ? 2 : 0), "\(label): only now has state history")
            }
            let projection = try #require(cctv["projection"] as? [String: Any])
            let lastYear = points.count > 12 ? installed(2025 + (points.count - 13) / 12, (points.count - 13) % 12 + 1) : 0
            let pace = Double(3 - lastYear) / 12
            #expect(abs((projection["pace_per_month"] as? Double ?? -1) - pace) < 1e-9)
            let reachIndex = (now.year ?? 2026) * 12 + (now.month ?? 12) - 1 + Int((8 / pace).rounded(.up))
            #expect(projection["outcome"] as? String == "reached")
            #expect(projection["reached_year"] as? Int == reachIndex / 12)
            let csv = try await Self.run(["coverage", "--region", "16.71", "--trajectory", "--format", "csv"], input: "", url: app.url)
            #expect(csv.status == 0)
            #expect(
                csv.output.hasPrefix("region,kind,month,installed,operational\r\n16.71,cctv,2025-01,1,0\r\n"), "\(csv.output.prefix(200))")
            let table = try await Self.run(["coverage", "--region", "16.71", "--trajectory"], input: "", url: app.url)
            #expect(table.output.contains("cctv: at this pace the 2030 target of 10 is reached in \(reachIndex / 12)"), "\(table.output)")
        }
    }
}
