import Foundation
import NadiServerTestSupport
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

/// The built `nadi` binary against a test database.
@Suite("nadi CLI")
struct CLITests {
    @Test(
        "an import with a bad row fails with the file's line number and stores nothing",
        arguments: [
            (
                ["sites", "import"],
                "code,kind,name,region,lat,lon,level\n10603845,school,SMP 1,16.71.05,-2.97,104.76,SMP\n123,school,Short,16.71.05,,,SD\n",
                "line 3", "NPSN"
            ),
            (
                ["sites", "import"],
                "code,kind,name,region,lat,lon\n10603845,school,SMP 1,16.71.05,-2.97,104.76\n10603846,school,SMP 2,16.71.99,,\n", "line 3",
                "region 16.71.99 does not exist"
            ),
            (
                ["targets", "import"], "region,kind,metric,year,value\n16.71,cctv,units,2027,800\n16.71,videotron,km,2027,5\n", "line 3",
                "metric km does not apply to videotron"
            ),
            (
                ["targets", "import"], "region,kind,metric,year,value\r\n16.71,cctv,units,2027,800\r\n16.71,cctv,schools_pct,2050,50\r\n",
                "line 3", "year 2050"
            ),
            (
                ["regions", "import"],
                "code,parent_code,level,name,type\n16.71.99,16.71,district,Baru,kecamatan\n16.71.98,16.7,district,Typo,kecamatan\n",
                "line 3", "does not match"
            ),
        ])
    func badImport(command: [String], text: String, line: String, reason: String) async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let path = try NadiCLI.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try await NadiCLI.run(command + [path], on: url)
        #expect(status == 1, "\(output)")
        #expect(output.contains(line), "\(output)")
        #expect(output.contains(reason), "\(output)")
        #expect(output.contains("nothing was imported"), "\(output)")
        try await TestClient.with(url) { client async throws in
            let stored = try await TestClient.scalar(
                client,
                "SELECT (SELECT count(*) FROM site) + (SELECT count(*) FROM target) + (SELECT count(*) FROM region WHERE code <@ '16.71' AND nlevel(code) = 3 AND name IN ('Baru', 'Typo'))",
                as: Int.self)
            #expect(stored == 0)
        }
    }

    @Test("a good import stores its rows and says how many; coverage and export run on them")
    func goodImport() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        let sites = try NadiCLI.file(
            "code,kind,name,region,lat,lon,level\n10603845,school,\"SMP 1, Palembang\",16.71.05,-2.97,104.76,SMP\n")
        defer { try? FileManager.default.removeItem(atPath: sites) }
        let (status, output) = try await NadiCLI.run(["sites", "import", sites], on: url)
        #expect(status == 0, "\(output)")
        #expect(output.contains("1 sites imported"))
        let targets = try NadiCLI.file("region,kind,metric,year,value,source\n16.71,cctv,schools_pct,2026,50,RPJMD\n")
        defer { try? FileManager.default.removeItem(atPath: targets) }
        #expect(try await NadiCLI.run(["targets", "import", targets], on: url).status == 0)
        let coverage = try await NadiCLI.run(["coverage", "--region", "16.71", "--format", "csv"], on: url)
        #expect(coverage.status == 0, "\(coverage.output)")
        #expect(coverage.output.contains("16.71,Kota Palembang,regency,cctv,schools_pct,50.0,0,0,0.0,0.0,behind,2026,50.0,1,0"))
        let table = try await NadiCLI.run(["coverage", "--region", "16.71", "--kind", "cctv"], on: url)
        let row = table.output.split(separator: "\n").first { $0.contains("schools_pct") }.map(String.init) ?? ""
        #expect(row.contains("1 schools") && row.contains("0 covered"), "a schools_pct row counts schools: \(table.output)")
        let export = try await NadiCLI.run(["export", "school-cctv", "--region", "16.71"], on: url)
        #expect(export.output.contains(#"10603845,"SMP 1, Palembang",SMP,16.71.05"#), "\(export.output)")
    }
}
