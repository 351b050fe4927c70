import Foundation
import NadiCore
import NadiStore
import NadiTestSupport
import PostgresNIO
import Testing

@Suite("Region import")
struct RegionImportTests {
    @Test("the builtin data holds 38 provinces, 514 kabupaten/kota and 7,285 kecamatan")
    func builtinCounts() async throws {
        let url = try await TestCluster.shared.emptyDatabase()
        try await TestClient.with(url) { client async throws in
            try await Migrator(client: client, logger: TestCluster.quietLogger).migrate(
                Migration.load(from: ResourceLocator.sqlDirectory()))
            let importer = RegionImporter(client: client, logger: TestCluster.quietLogger)
            let summary = try await importer.importRows(RegionImporter.builtinRows())
            #expect(summary.byLevel[.province] == 38)
            #expect(summary.byLevel[.regency] == 514)
            #expect(summary.byLevel[.district] == 7285)
            #expect(summary.inserted == 7837)
            let kota = try await TestClient.scalar(client, "SELECT count(*) FROM region WHERE type = 'kota'", as: Int.self)
            #expect(kota == 98)
            let palembang = try await TestClient.scalar(client, "SELECT name FROM region WHERE code = '16.71'", as: String.self)
            #expect(palembang == "Kota Palembang")
            let under = try await TestClient.scalar(
                client, "SELECT count(*) FROM region WHERE code <@ '16.71' AND level = 'district'", as: Int.self)
            #expect(under == 18)
            // A second import changes nothing and inserts nothing.
            let again = try await importer.importRows(RegionImporter.builtinRows())
            #expect(again.inserted == 0)
            #expect(again.updated == 7837)
        }
    }

    @Test(
        "a bad region file is rejected with its line number",
        arguments: [
            (
                "code,parent_code,level,name,type\n16,,province,Sumatera Selatan,provinsi\n16.7,16,regency,Bad,kota\n", 3,
                "malformed region code"
            ),
            ("code,parent_code,level,name,type\n16,,province,A,provinsi\n16,,province,B,provinsi\n", 3, "duplicate region code 16"),
            ("code,parent_code,level,name,type\n16,,province,A,provinsi\n16.71,16,regency,Kota X\n", 3, "expected 5 columns, found 4"),
            ("code,parent_code,level,name,type\n16,,province,A,provinsi\n16.71,16,district,Kota X,kota\n", 3, "is a regency code"),
            ("code,parent_code,level,name,type\r\n16,,province,A,provinsi\r\n16.71,15,regency,Kota X,kota\r\n", 3, "does not match"),
            ("code,parent_code,level,name,type\n16,,province,A,provinsi\n\n16.71,16,regency,,kota\n", 4, "name must be"),
        ])
    func badFileLineNumbers(text: String, line: Int, reason: String) throws {
        let error = #expect(throws: ImportError.self) {
            try RegionImporter.parse(CSVDocument(data: Data(text.utf8)))
        }
        #expect(error?.line == line)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("a file whose parent region does not exist leaves the database unchanged")
    func missingParentChangesNothing() async throws {
        let url = try await TestCluster.shared.migratedDatabase()
        try await TestClient.with(url) { client async throws in
            let before = try await TestClient.scalar(client, "SELECT count(*) FROM region", as: Int.self)
            let text = "code,parent_code,level,name,type\n16.71.99,16.71,district,Baru,kecamatan\n99.01,99,regency,Nowhere,kabupaten\n"
            let rows = try RegionImporter.parse(CSVDocument(data: Data(text.utf8)))
            let error = await #expect(throws: ImportError.self) {
                try await RegionImporter(client: client, logger: TestCluster.quietLogger).importRows(rows)
            }
            #expect(error?.line == 3)
            #expect(error?.reason.contains("parent region 99 does not exist") == true)
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM region", as: Int.self) == before)
            #expect(try await TestClient.scalar(client, "SELECT count(*) FROM region WHERE code = '16.71.99'", as: Int.self) == 0)
        }
    }

    @Test("invalid UTF-8 is reported with its line")
    func invalidUTF8() throws {
        var bytes = Data("code,parent_code,level,name,type\n16,,province,A,provinsi\n".utf8)
        bytes.append(contentsOf: [0x31, 0x37, 0x2C, 0x2C, 0xFF, 0xFE, 0x0A])
        let error = #expect(throws: ImportError.self) { try CSVDocument(data: bytes) }
        #expect(error?.line == 3)
    }
}
