import CSV
import Foundation
import NadiCore
import NadiReports
import Testing

@Suite("School CCTV export rendering")
struct SchoolExportRendererTests {
    static func school(_ npsn: String, name: String, lat: Double?, lon: Double?) -> SchoolCCTV {
        SchoolCCTV(
            npsn: npsn, name: name, level: "SMP", region: "16.71.05", regionName: "Ilir Timur Satu", lat: lat, lon: lon, cctvInstalled: 1,
            cctvOperational: 1, cctvPublic: 1, uptime30dPct: 99.5, covered: true, lastSeen: nil, publicStreams: ["rtsp://10.1.2.3/main"])
    }

    @Test("CSV quotes names with commas, quotes and line breaks (RFC 4180) and reads back to the same fields")
    func hostileNames() throws {
        let names = [#"SMP "Unggulan", Palembang"#, "SD 1\nPalembang", "SMA =cmd|' /C calc'!A0", "SMK Négeri 2 — Plaju"]
        let csv = SchoolExportRenderer.csv(
            names.enumerated().map { Self.school("1000000\($0.offset)", name: $0.element, lat: -2.9, lon: 104.7) })
        #expect(csv.hasPrefix(SchoolExportRenderer.csvHeader.joined(separator: ",") + "\r\n"))
        #expect(csv.contains(#""SMP ""Unggulan"", Palembang""#))
        let reader = try CSVReader(string: csv, hasHeaderRow: true)
        var read: [String] = []
        while let row = reader.next() { read.append(row[1]) }
        #expect(read == names)
    }

    @Test("GeoJSON is a FeatureCollection of Points in [lon, lat] order; schools without coordinates are left out and counted")
    func geojson() throws {
        let schools = [Self.school("10000001", name: "A", lat: -2.97, lon: 104.76), Self.school("10000002", name: "B", lat: nil, lon: nil)]
        let (text, leftOut) = try SchoolExportRenderer.geojson(schools)
        #expect(leftOut == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "FeatureCollection")
        let features = try #require(object["features"] as? [[String: Any]])
        #expect(features.count == 1)
        let geometry = try #require(features[0]["geometry"] as? [String: Any])
        #expect(geometry["type"] as? String == "Point")
        #expect(geometry["coordinates"] as? [Double] == [104.76, -2.97])
        let properties = try #require(features[0]["properties"] as? [String: Any])
        #expect(properties["npsn"] as? String == "10000001")
        #expect(properties["covered"] as? Bool == true)
        #expect(properties.keys.contains("last_seen"))
    }
}
